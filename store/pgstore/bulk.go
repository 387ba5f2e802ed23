package pgstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/proto"

	"sanbai/store"
)

// batchRows is how many writes a batch sends in one statement.
const batchRows = 2000

// batch is a bulk write (store.KVBatch): writes are kept, the last per key, and sent batchRows
// at a time, each lot in its own transaction — a bulk load is into an empty store no session
// reads, which is what Badger's write batch assumes too.
type batch struct {
	d     *db
	order [][]byte          // keys in first-write order
	ops   map[string][]byte // key → value, nil for a delete
	err   error
}

func (d *db) NewWriteBatch() store.KVBatch { return &batch{d: d, ops: map[string][]byte{}} }

func (b *batch) Set(key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	return b.add(key, bytes.Clone(value))
}

func (b *batch) Delete(key []byte) error { return b.add(key, nil) }

func (b *batch) add(key, value []byte) error {
	if b.err != nil {
		return b.err
	}
	k := string(key)
	if _, ok := b.ops[k]; !ok {
		b.order = append(b.order, []byte(k))
	}
	b.ops[k] = value
	if len(b.order) >= batchRows {
		b.err = b.send()
	}
	return b.err
}

// send writes the kept writes in one transaction.
func (b *batch) send() error {
	if len(b.order) == 0 {
		return nil
	}
	var setK, setV, del [][]byte
	for _, k := range b.order {
		if v := b.ops[string(k)]; v != nil {
			setK, setV = append(setK, k), append(setV, v)
		} else {
			del = append(del, k)
		}
	}
	b.order, b.ops = nil, map[string][]byte{}
	ctx := context.Background()
	return pgx.BeginFunc(ctx, b.d.pool, func(tx pgx.Tx) error {
		if len(del) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM kv WHERE k = ANY($1)", del); err != nil {
				return err
			}
		}
		if len(setK) > 0 {
			_, err := tx.Exec(ctx, `INSERT INTO kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[])
				ON CONFLICT (k) DO UPDATE SET v = excluded.v`, setK, setV)
			return err
		}
		return nil
	})
}

func (b *batch) Flush() error {
	if b.err != nil {
		return b.err
	}
	b.err = b.send()
	return b.err
}

func (b *batch) Cancel() { b.order, b.ops = nil, map[string][]byte{} }

// loadedVersion is the version a backup written here gives every key: above any version a
// fresh Badger store (Restore's) has written itself, so the backup's rows are the ones read.
const loadedVersion = 1 << 32

// Backup writes every key and value of one snapshot in Badger's backup stream (little-endian
// length, then a protobuf KVList), so that either engine restores what either wrote.
func (d *db) Backup(w io.Writer) error {
	return d.View(func(kt store.KVTxn) error {
		t := kt.(*txn)
		rows, err := t.tx.Query(t.ctx, "SELECT k, v FROM kv ORDER BY k")
		if err != nil {
			return err
		}
		defer rows.Close()
		list := &pb.KVList{}
		size := 0
		for rows.Next() {
			var k, v []byte
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			list.Kv = append(list.Kv, &pb.KV{Key: k, Value: v, Version: loadedVersion})
			if size += len(k) + len(v); size > 1<<20 || len(list.Kv) >= 1000 {
				if err := writeList(w, list); err != nil {
					return err
				}
				list, size = &pb.KVList{}, 0
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(list.Kv) > 0 {
			return writeList(w, list)
		}
		return nil
	})
}

// writeList writes one KVList as Badger's backup does.
func writeList(w io.Writer, list *pb.KVList) error {
	buf, err := proto.Marshal(list)
	if err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, uint64(len(buf))); err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}

// badgerDelete is the delete marker bit of Badger's entry meta.
const badgerDelete = 1

// Load reads a backup stream (either engine's) into the table, then moves the audit sequence
// past the highest audit number loaded. A Badger backup lists each key's versions newest
// first, deleted ones as markers: the newest counts, and a deleted key is not loaded.
func (d *db) Load(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	b := d.NewWriteBatch()
	defer b.Cancel()
	for {
		var n uint64
		if err := binary.Read(br, binary.LittleEndian, &n); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if n > 1<<30 {
			return fmt.Errorf("a backup record of %d bytes", n)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return err
		}
		list := &pb.KVList{}
		if err := proto.Unmarshal(buf, list); err != nil {
			return err
		}
		var prev []byte
		for _, kv := range list.Kv {
			if prev != nil && bytes.Equal(kv.Key, prev) {
				continue // an older version
			}
			prev = kv.Key
			if bytes.HasPrefix(kv.Key, []byte("!badger!")) || len(kv.Meta) > 0 && kv.Meta[0]&badgerDelete != 0 {
				continue
			}
			if err := b.Set(kv.Key, kv.Value); err != nil {
				return err
			}
		}
	}
	if err := b.Flush(); err != nil {
		return err
	}
	_, err := d.pool.Exec(context.Background(), `SELECT setval('audit_seq', greatest(
		(SELECT last_value FROM audit_seq),
		coalesce((SELECT ('x' || lpad(convert_from(substr(k, 7), 'UTF8'), 16, '0'))::bit(64)::bigint
			FROM kv WHERE k >= 'audit/'::bytea AND k < 'audit0'::bytea ORDER BY k DESC LIMIT 1), 0), 1))`)
	return err
}
