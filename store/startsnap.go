package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"

	"sanbai/parallel"
)

// The start snapshot. A county server's first login waited for 100,000 households to be
// decoded from their JSON (1.2–1.9 s on two cores) before pane 1 could show, every time the
// server started. A server that stops cleanly writes every village's households, masked as
// the household cache holds them (hhcache.go), to start.snap in its data directory, in a
// binary form that decodes without a string allocation per field; the next Open fills the
// cache from it in a fraction of that time.
//
// A snapshot is used only if it is exactly what the store holds: Open walks the household
// keys (keys only, no values) and compares their number, their highest commit version and a
// hash of every key and its version with what the snapshot recorded. Any write to a
// household since — by this server, an admin command, a restore — changes one of them, and
// the snapshot is dropped and the households read as before. Writes to other keys (users,
// concerns) leave it good. It is written from one read transaction, so it is consistent
// however the writes around it fall. An encrypted store writes none (the file would hold
// names and addresses in the clear); neither does an engine without commit versions.

// startSnapFile is the snapshot's name in the data directory.
const startSnapFile = "start.snap"

// startSnapMagic opens the file; startSnapFormat is bumped whenever the layout, the
// household's fields or the masking change, so that an older file is never read as current.
const (
	startSnapMagic  = "sanbai start snapshot\n"
	startSnapFormat = 1
)

// versionedItem is an item that tells the commit version it was written at (Badger's).
type versionedItem interface{ Version() uint64 }

// householdStamp is what a snapshot's households are checked against: how many household
// keys there are, the highest version among them, and a hash of every key with its version.
type householdStamp struct {
	count, max, hash uint64
}

// stamper builds a householdStamp a key at a time.
type stamper struct {
	st  householdStamp
	h   interface{ Write([]byte) (int, error) }
	sum func() uint64
}

func newStamper() *stamper {
	h := fnv.New64a()
	return &stamper{h: h, sum: h.Sum64}
}

// add notes one key at its version.
func (s *stamper) add(key []byte, version uint64) {
	s.st.count++
	s.st.max = max(s.st.max, version)
	var v [8]byte
	binary.LittleEndian.PutUint64(v[:], version)
	s.h.Write(key)
	s.h.Write(v[:])
}

func (s *stamper) stamp() householdStamp {
	st := s.st
	st.hash = s.sum()
	return st
}

// householdStampOf walks the household keys without their values. ok is false when the
// engine does not tell versions.
func householdStampOf(db *gatedDB) (st householdStamp, ok bool, err error) {
	ok = true
	err = db.View(context.Background(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte("household/")})
		defer it.Close()
		s := newStamper()
		for it.Rewind(); it.Valid(); it.Next() {
			vi, isV := it.Item().(versionedItem)
			if !isV {
				ok = false
				return nil
			}
			s.add(it.Item().Key(), vi.Version())
		}
		st = s.stamp()
		return nil
	})
	return st, ok, err
}

// startSnapPath is where the store's snapshot lives; "" for a store that keeps none.
func (s *Store) startSnapPath() string {
	if s.dir == "" || len(s.key) > 0 || !s.snap {
		return ""
	}
	return filepath.Join(s.dir, startSnapFile)
}

// saveStart writes the start snapshot: every household, read in one transaction. Errors are
// logged: a server that could not write one starts as it did before.
func (s *Store) saveStart() {
	path := s.startSnapPath()
	if path == "" {
		return
	}
	if err := s.writeStart(path); errors.Is(err, ErrClosed) {
		return // closed before: the snapshot then written stands
	} else if err != nil {
		os.Remove(path)
		s.log.Warn("writing the start snapshot", "err", err)
	}
}

func (s *Store) writeStart(path string) error {
	type village struct {
		code string
		keys []string
		raws [][]byte
	}
	var (
		villages []*village
		stamp    householdStamp
		noVer    bool
	)
	err := s.db.View(context.Background(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte("household/"), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		st := newStamper()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			vi, ok := item.(versionedItem)
			if !ok {
				noVer = true
				return nil
			}
			key := string(item.Key())
			code, _, ok := householdKeyParts(key)
			if !ok {
				return fmt.Errorf("unexpected household key %q", key)
			}
			raw, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			st.add(item.Key(), vi.Version())
			if len(villages) == 0 || villages[len(villages)-1].code != code {
				villages = append(villages, &village{code: code})
			}
			v := villages[len(villages)-1]
			v.keys, v.raws = append(v.keys, key), append(v.raws, raw)
		}
		stamp = st.stamp()
		return nil
	})
	if err != nil || noVer {
		return err
	}
	// Decoded and masked as the cache does (villageHouseholds), a village per core.
	parts, err := parallel.Parts(len(villages), func(i int) ([]byte, error) {
		v := villages[i]
		var w snapWriter
		w.str(v.code)
		w.uint(uint64(len(v.raws)))
		for j, raw := range v.raws {
			var h Household
			if err := json.Unmarshal(raw, &h); err != nil {
				return nil, fmt.Errorf("%s: %w", v.keys[j], err)
			}
			w.household(maskHousehold(h))
		}
		return w.b, nil
	})
	if err != nil {
		return err
	}
	var w snapWriter
	w.b = append(w.b, startSnapMagic...)
	w.uint(startSnapFormat)
	w.uint(stamp.count)
	w.uint(stamp.max)
	w.b = binary.LittleEndian.AppendUint64(w.b, stamp.hash)
	w.uint(uint64(len(parts)))
	for _, p := range parts {
		w.uint(uint64(len(p)))
		w.b = append(w.b, p...)
	}
	return writeFileSynced(path, w.b)
}

// writeFileSynced writes data to path through a temporary file renamed over it, so a crash
// leaves the old file or the new one, never half of one.
func writeFileSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// loadStart fills the household cache from the start snapshot if it matches the store, and
// drops a snapshot that does not. It reports how many villages it filled.
func (s *Store) loadStart() (int, error) {
	path := s.startSnapPath()
	if path == "" {
		return 0, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	stale := func(why string) (int, error) {
		s.log.Info("start snapshot not used", "why", why)
		return 0, os.Remove(path)
	}
	r := snapReader{b: data}
	if !bytes.HasPrefix(data, []byte(startSnapMagic)) {
		return stale("not a start snapshot")
	}
	r.b = r.b[len(startSnapMagic):]
	if r.uint() != startSnapFormat || r.err != nil {
		return stale("written by another version")
	}
	var want householdStamp
	want.count, want.max = r.uint(), r.uint()
	want.hash = r.fixed64()
	n := r.uint()
	if r.err != nil {
		return stale("cut short")
	}
	// The households are decoded while another core walks the keys they are checked against.
	var (
		got     householdStamp
		ok      bool
		walkErr error
		walked  = make(chan struct{})
	)
	go func() {
		defer close(walked)
		got, ok, walkErr = householdStampOf(s.db)
	}()
	parts, decodeErr := decodeStart(r, n)
	<-walked
	switch {
	case walkErr != nil:
		return 0, walkErr
	case !ok || got != want:
		return stale("the households changed since it was written")
	case decodeErr != nil:
		return stale("damaged")
	}
	c := s.hh
	c.mu.Lock()
	for _, p := range parts {
		c.rows[p.code] = p.hhs
	}
	c.mu.Unlock()
	return len(parts), nil
}

// villageRows are one village's households, as the cache keeps them.
type villageRows struct {
	code string
	hhs  []Household
}

// decodeStart reads the snapshot's n villages that follow the header in r.
func decodeStart(r snapReader, n uint64) ([]villageRows, error) {
	blobs := make([][]byte, 0, min(n, uint64(len(r.b))))
	for range n {
		blobs = append(blobs, r.bytes())
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errSnapShort
	}
	return parallel.Parts(len(blobs), func(i int) (villageRows, error) {
		// One string per village: its households' fields are slices of it, so a village
		// read again after a write frees its own.
		vr := snapReader{s: string(blobs[i])}
		code := vr.str()
		hhs := make([]Household, 0, min(vr.uint(), uint64(len(vr.s))))
		for vr.err == nil && len(vr.s) > 0 {
			hhs = append(hhs, vr.household())
		}
		if vr.err != nil {
			return villageRows{}, vr.err
		}
		return villageRows{code, slices.Clip(hhs)}, nil
	})
}

// snapWriter appends the snapshot's values: unsigned varints, and strings and slices as
// their length (slices as length+1, 0 for nil, so nil and empty come back as they were)
// followed by their contents.
type snapWriter struct{ b []byte }

func (w *snapWriter) uint(n uint64) { w.b = binary.AppendUvarint(w.b, n) }

func (w *snapWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *snapWriter) strs(ss []string) {
	if ss == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(ss)) + 1)
	for _, s := range ss {
		w.str(s)
	}
}

// household writes every field of h; snapReader.household reads them back in this order.
func (w *snapWriter) household(h Household) {
	w.str(h.ID)
	w.str(h.Village)
	w.str(h.Grid)
	w.str(h.Address)
	w.strs(h.Special)
	if h.Residents == nil {
		w.uint(0)
	} else {
		w.uint(uint64(len(h.Residents)) + 1)
	}
	for _, r := range h.Residents {
		w.str(r.ID)
		w.str(r.Name)
		w.str(r.Relation)
		w.str(r.Gender)
		w.str(r.Born)
		w.str(r.IDNumber)
		w.str(r.Phone)
		w.str(r.Political)
		w.strs(r.Special)
		w.str(r.MovedOut)
	}
	w.str(h.MovedOut)
}

// errSnapShort is a snapshot that ends inside a value.
var errSnapShort = errors.New("start snapshot cut short")

// snapReader reads what snapWriter wrote: from b (the file's header and frames) or from s (a
// village's frame, whose strings it hands out as slices of s).
type snapReader struct {
	b   []byte
	s   string
	err error
}

func (r *snapReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	if r.b != nil {
		n, k := binary.Uvarint(r.b)
		if k <= 0 {
			r.err = errSnapShort
			return 0
		}
		r.b = r.b[k:]
		return n
	}
	var n uint64
	for shift := 0; shift < 64; shift += 7 {
		if len(r.s) == 0 {
			break
		}
		c := r.s[0]
		r.s = r.s[1:]
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return n
		}
	}
	r.err = errSnapShort
	return 0
}

func (r *snapReader) fixed64() uint64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errSnapShort
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// bytes reads a length and that many bytes of b.
func (r *snapReader) bytes() []byte {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errSnapShort
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// str reads a length and that many bytes of s, as a slice of s.
func (r *snapReader) str() string {
	n := r.uint()
	if r.err != nil || n > uint64(len(r.s)) {
		r.err = errSnapShort
		return ""
	}
	out := r.s[:n]
	r.s = r.s[n:]
	return out
}

// count reads a slice's length+1 (0 for nil); ok is false for nil.
func (r *snapReader) count() (n int, ok bool) {
	c := r.uint()
	if c == 0 || r.err != nil {
		return 0, false
	}
	if c-1 > uint64(len(r.s)) { // every element takes a byte at least
		r.err = errSnapShort
		return 0, false
	}
	return int(c - 1), true
}

func (r *snapReader) strs() []string {
	n, ok := r.count()
	if !ok {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *snapReader) household() Household {
	var h Household
	h.ID, h.Village, h.Grid, h.Address = r.str(), r.str(), r.str(), r.str()
	h.Special = r.strs()
	if n, ok := r.count(); ok {
		h.Residents = make([]Resident, n)
		for i := range h.Residents {
			p := &h.Residents[i]
			p.ID, p.Name, p.Relation, p.Gender, p.Born = r.str(), r.str(), r.str(), r.str(), r.str()
			p.IDNumber, p.Phone, p.Political = r.str(), r.str(), r.str()
			p.Special = r.strs()
			p.MovedOut = r.str()
		}
	}
	h.MovedOut = r.str()
	return h
}
