package store

// Backup and restore.
//
// A backup is one file:
//
//	SANBAI-BACKUP 1 plain\n            or   SANBAI-BACKUP 1 aes256ctr-hmac\n + 16-byte IV
//	body: Badger's backup stream (a consistent snapshot: one read timestamp), encrypted with
//	      AES-256-CTR when the store is encrypted
//	trailer (48 bytes): "SBEND001", the body's length (8 bytes, big-endian), and its SHA-256
//	      (plain) or HMAC-SHA256 over IV and body (encrypted)
//
// The trailer makes a backup cut short (a dropped SSH link, a full disk) detectable: restore
// checks it in full before writing anything. The keys for an encrypted backup are derived from
// the store's master key, so the backup of an encrypted store is as protected as the store.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"
)

const (
	backupMagic     = "SANBAI-BACKUP 1 "
	backupPlain     = "plain\n"
	backupEncrypted = "aes256ctr-hmac\n"
	trailerMagic    = "SBEND001"
	trailerLen      = 8 + 8 + sha256.Size
)

// ErrBadBackup is returned when a backup file is cut short, altered, or not a backup.
var ErrBadBackup = errors.New("not a complete sanbai backup")

// BackupInfo says what a backup holds.
type BackupInfo struct {
	Bytes     int64
	Encrypted bool
}

// backupKeys derives the backup's cipher and MAC keys from the master key.
func backupKeys(master []byte) (enc, mac []byte) {
	d := func(label string) []byte {
		h := hmac.New(sha256.New, master)
		h.Write([]byte(label))
		return h.Sum(nil)
	}
	return d("sanbai backup encryption"), d("sanbai backup authentication")
}

// Backup streams a consistent backup of the whole store to w. Only township users may: it
// holds every resident's personal data, so it is recorded in the audit trail (who, when) before
// the first byte leaves.
func (s *Store) Backup(ctx context.Context, a Actor, w io.Writer) (BackupInfo, error) {
	if a.Role != RoleTownship {
		return BackupInfo{}, fmt.Errorf("%w: only township users make backups", ErrScope)
	}
	if err := s.AuditExport(ctx, a, "backup", ""); err != nil {
		return BackupInfo{}, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var mac hash.Hash
	var body io.Writer
	info := BackupInfo{Encrypted: len(s.key) > 0}
	if info.Encrypted {
		encKey, macKey := backupKeys(s.key)
		iv := make([]byte, aes.BlockSize)
		if _, err := rand.Read(iv); err != nil {
			return info, err
		}
		block, err := aes.NewCipher(encKey)
		if err != nil {
			return info, err
		}
		if _, err := bw.WriteString(backupMagic + backupEncrypted); err != nil {
			return info, err
		}
		if _, err := bw.Write(iv); err != nil {
			return info, err
		}
		mac = hmac.New(sha256.New, macKey)
		mac.Write(iv)
		body = cipher.StreamWriter{S: cipher.NewCTR(block, iv), W: io.MultiWriter(bw, mac)}
	} else {
		if _, err := bw.WriteString(backupMagic + backupPlain); err != nil {
			return info, err
		}
		mac = sha256.New()
		body = io.MultiWriter(bw, mac)
	}
	cw := &countWriter{w: body}
	if err := s.db.Backup(cw); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	info.Bytes = cw.n
	var tr [trailerLen]byte
	copy(tr[:8], trailerMagic)
	binary.BigEndian.PutUint64(tr[8:16], uint64(cw.n))
	copy(tr[16:], mac.Sum(nil))
	if _, err := bw.Write(tr[:]); err != nil {
		return info, err
	}
	return info, bw.Flush()
}

// countWriter counts what goes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// BackupToFile writes a backup to path through a temporary file in the same directory, synced
// and renamed into place: a failure (a full disk) leaves no file at path, never half of one.
func (s *Store) BackupToFile(ctx context.Context, a Actor, path string) (BackupInfo, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return BackupInfo{}, fileError(err)
	}
	fail := func(err error) (BackupInfo, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return BackupInfo{}, fileError(err)
	}
	info, err := s.Backup(ctx, a, tmp)
	if err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return BackupInfo{}, fileError(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return BackupInfo{}, fileError(err)
	}
	syncDir(filepath.Dir(path))
	return info, nil
}

// fileError says plainly when a file could not be written for lack of space.
func fileError(err error) error {
	if isNoSpace(err) {
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// CheckBackup reads a whole backup file and checks its trailer, with key for an encrypted one.
func CheckBackup(path string, key []byte) (BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupInfo{}, err
	}
	defer f.Close()
	info, body, err := openBackup(f, key)
	if err != nil {
		return info, err
	}
	_, err = io.Copy(io.Discard, body)
	if err == nil {
		err = body.verify()
	}
	return info, err
}

// backupBody reads a backup's body (decrypting it) and checks the trailer once at the end.
type backupBody struct {
	r      io.Reader
	mac    hash.Hash
	want   []byte
	length int64
	read   int64
}

func (b *backupBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// verify checks the body was read in full and matches its checksum.
func (b *backupBody) verify() error {
	if b.read != b.length || !hmac.Equal(b.mac.Sum(nil), b.want) {
		return fmt.Errorf("%w: the checksum does not match (the file was cut short or changed, or the key is wrong)", ErrBadBackup)
	}
	return nil
}

// openBackup checks the header and trailer of the backup in f and returns a reader of its
// decrypted body.
func openBackup(f *os.File, key []byte) (BackupInfo, *backupBody, error) {
	fi, err := f.Stat()
	if err != nil {
		return BackupInfo{}, nil, err
	}
	head := make([]byte, len(backupMagic)+len(backupEncrypted)+aes.BlockSize)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.HasPrefix(head, []byte(backupMagic)) {
		return BackupInfo{}, nil, ErrBadBackup
	}
	var info BackupInfo
	var start int64
	switch rest := head[len(backupMagic):]; {
	case bytes.HasPrefix(rest, []byte(backupPlain)):
		start = int64(len(backupMagic) + len(backupPlain))
	case bytes.HasPrefix(rest, []byte(backupEncrypted)) && len(head) == cap(head):
		start = int64(len(head))
		info.Encrypted = true
	default:
		return BackupInfo{}, nil, fmt.Errorf("%w: unknown header", ErrBadBackup)
	}
	bodyLen := fi.Size() - start - trailerLen
	if bodyLen < 0 {
		return info, nil, fmt.Errorf("%w: too short", ErrBadBackup)
	}
	var tr [trailerLen]byte
	if _, err := f.ReadAt(tr[:], fi.Size()-trailerLen); err != nil {
		return info, nil, err
	}
	if string(tr[:8]) != trailerMagic || int64(binary.BigEndian.Uint64(tr[8:16])) != bodyLen {
		return info, nil, fmt.Errorf("%w: the end is missing (the file was cut short)", ErrBadBackup)
	}
	info.Bytes = bodyLen
	sec := io.NewSectionReader(f, start, bodyLen)
	b := &backupBody{want: tr[16:], length: bodyLen}
	if !info.Encrypted {
		b.mac = sha256.New()
		b.r = io.TeeReader(sec, b.mac)
		return info, b, nil
	}
	if len(key) == 0 {
		return info, nil, fmt.Errorf("%w: the backup is encrypted; give the key the store had when it was made", ErrBadKey)
	}
	encKey, macKey := backupKeys(key)
	iv := head[start-aes.BlockSize : start]
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return info, nil, err
	}
	b.mac = hmac.New(sha256.New, macKey)
	b.mac.Write(iv)
	b.r = cipher.StreamReader{S: cipher.NewCTR(block, iv), R: io.TeeReader(sec, b.mac)}
	return info, b, nil
}

// RestoreOptions control Restore.
type RestoreOptions struct {
	// BackupKey decrypts an encrypted backup; StoreKey encrypts the new store. Either may be
	// nil; giving different keys re-encrypts (or encrypts, or decrypts) on the way.
	BackupKey, StoreKey []byte
	// Who is named in the restored store's audit trail.
	Who string
}

// ErrNotEmptyDir is returned when restoring into a data directory that already holds a store.
var ErrNotEmptyDir = errors.New("the data directory already holds a store; restore into an empty one")

// Restore loads the backup at path into a new store in dir, which must hold no store yet. The
// backup is checked in full first; the store is built beside the final place and renamed into
// it only when complete, so a failure (a bad file, a full disk) leaves dir as it was.
func Restore(dir, path string, o RestoreOptions) (BackupInfo, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return BackupInfo{}, err
	}
	final := filepath.Join(dir, "db")
	if ents, err := os.ReadDir(final); err == nil && len(ents) > 0 {
		return BackupInfo{}, fmt.Errorf("%w (%s)", ErrNotEmptyDir, final)
	}
	work := filepath.Join(dir, ".restore")
	if err := os.RemoveAll(work); err != nil {
		return BackupInfo{}, err
	}
	var info BackupInfo
	fail := func(err error) (BackupInfo, error) {
		os.RemoveAll(work)
		return info, fileError(err)
	}
	st, err := Open(work, Options{EncryptionKey: o.StoreKey})
	if err != nil {
		return fail(err)
	}
	if info, err = st.loadBackup(path, o.BackupKey); err != nil {
		st.Close()
		return fail(err)
	}
	if err := st.Close(); err != nil {
		return fail(err)
	}
	os.Remove(final) // an empty directory, if any
	if err := os.Rename(filepath.Join(work, "db"), final); err != nil {
		return fail(err)
	}
	os.RemoveAll(work)
	syncDir(dir)
	// The restore itself goes in the audit trail of the restored store.
	st, err = Open(dir, Options{EncryptionKey: o.StoreKey})
	if err != nil {
		return info, err
	}
	defer st.Close()
	return info, st.auditRestore(path, info, o.Who)
}

// RestoreKV loads the backup at path into kv, an engine holding no store yet (an empty
// PostgreSQL database), and records the restore in its audit trail; kv is closed when it
// returns. The backup is checked in full before anything is written.
func RestoreKV(kv KV, path string, o RestoreOptions) (BackupInfo, error) {
	ctx := context.Background()
	st, err := OpenKV(kv, Options{})
	if err != nil {
		return BackupInfo{}, err
	}
	defer st.Close()
	if empty, err := st.Empty(ctx); err != nil {
		return BackupInfo{}, err
	} else if !empty {
		return BackupInfo{}, ErrNotEmpty
	}
	info, err := st.loadBackup(path, o.BackupKey)
	if err != nil {
		return info, err
	}
	return info, st.auditRestore(path, info, o.Who)
}

// loadBackup checks the backup at path in full, loads it into s (which holds no store yet)
// and rebuilds the household index: both restores' one way in.
func (s *Store) loadBackup(path string, key []byte) (BackupInfo, error) {
	info, err := CheckBackup(path, key)
	if err != nil {
		return info, err
	}
	f, err := os.Open(path)
	if err != nil {
		return info, err
	}
	defer f.Close()
	_, body, err := openBackup(f, key)
	if err != nil {
		return info, err
	}
	if err := s.db.Load(body); err != nil {
		return info, fmt.Errorf("load: %w", err)
	}
	if err := body.verify(); err != nil {
		return info, err
	}
	// A backup made before the household ID index has none; one made after has it, and
	// rebuilding gives the same entries.
	return info, s.rebuildHouseholdIndex()
}

// auditRestore records a restore in the restored store's audit trail.
func (s *Store) auditRestore(path string, info BackupInfo, who string) error {
	if who == "" {
		who = System().Name
	}
	return s.update(context.Background(), Actor{Name: who, Role: RoleTownship}, func(tx *Tx) error {
		b, _ := json.Marshal(map[string]any{"file": filepath.Base(path), "bytes": info.Bytes, "at": tx.at.Format(time.RFC3339)})
		tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: who, Action: "store.restore", Key: "meta/restore", After: b})
		return nil
	})
}

// Dump calls fn for every stored key and value, in key order: for checks that compare whole
// stores (the backup test, the crash harness).
func (s *Store) Dump(ctx context.Context, fn func(key, value []byte) error) error {
	return s.db.View(ctx, func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := fn(it.Item().KeyCopy(nil), v); err != nil {
				return err
			}
		}
		return nil
	})
}
