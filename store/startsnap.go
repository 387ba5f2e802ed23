package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"sanbai/parallel"
)

// The start snapshot. A county server's first login waited for 100,000 households to be
// decoded from their JSON (1.2–1.9 s on two cores) before pane 1 could show, every time the
// server started. A server that stops cleanly writes every village's households, masked as
// the household cache holds them (hhcache.go), to start.snap in its data directory, in a
// binary form that decodes without a string allocation per field; the next Open fills the
// cache from it in a fraction of that time.
//
// A snapshot is used only if it is exactly what the store holds. It records the store's
// version when it was read (Badger's read timestamp: every commit raises it), and a store
// still at that version has written nothing since, so a start after a clean stop takes it at
// once. Otherwise Open walks the household keys (keys only, no values) and compares their
// number, their highest commit version and a hash of every key and its version with what the
// snapshot recorded. Any write to a household since — by this server, an admin command, a
// restore — changes one of them, and the snapshot is dropped and the households read as
// before. Writes to other keys (users, concerns) leave it good: the walk finds the same keys,
// and the file is then marked with the version it was found good at. A store that wrote no
// household carries the file forward as it closes (CarryStartFile), so the next start needs
// no walk either; a file whose version is past the store's (a store copied back from an
// older one) is dropped at open. It is written from one read transaction, so it is
// consistent however the writes around it fall. An encrypted store writes none (the file
// would hold names and addresses in the clear); neither does an engine without commit
// versions.

// startSnapFile is the snapshot's name in the data directory.
const startSnapFile = "start.snap"

// startSnapMagic opens the file; startSnapFormat is bumped whenever the layout, the
// household's fields or the masking change, so that an older file is never read as current.
const (
	startSnapMagic  = "sanbai start snapshot\n"
	startSnapFormat = 2
)

// versionedItem is an item that tells the commit version it was written at (Badger's).
type versionedItem interface{ Version() uint64 }

// KeyStamp is what a start snapshot is checked against: how many keys a prefix holds, the
// highest commit version among them, and a hash of every key with its version. Any write
// under the prefix changes it: a new or changed key raises Max, a deleted one lowers Count.
type KeyStamp struct {
	// Prefix is the keys stamped ("household/").
	Prefix string
	// Version is the store's version when the stamp was taken (the read's timestamp); a
	// store still at it has written nothing since. 0 when the engine tells none.
	Version uint64
	// Count, Max and Hash describe the keys.
	Count, Max, Hash uint64
}

// Same reports whether two stamps are of the same keys at the same commit versions, taken
// at whatever store version.
func (a KeyStamp) Same(b KeyStamp) bool {
	return a.Prefix == b.Prefix && a.Count == b.Count && a.Max == b.Max && a.Hash == b.Hash
}

// stamper builds a KeyStamp a key at a time; ok turns false at a key with no version.
type stamper struct {
	st KeyStamp
	ok bool
	h  hash.Hash64
}

func newStamper(prefix string) *stamper {
	return &stamper{st: KeyStamp{Prefix: prefix}, ok: true, h: fnv.New64a()}
}

// readStamped is a read transaction that tells the store's version it reads at (Badger's).
type readStamped interface{ ReadTs() uint64 }

// at notes the version of the transaction the keys are read in.
func (s *stamper) at(txn KVTxn) {
	if rt, ok := txn.(readStamped); ok {
		s.st.Version = rt.ReadTs()
	}
}

// add notes one item's key at its version.
func (s *stamper) add(item KVItem) {
	vi, ok := item.(versionedItem)
	if !ok {
		s.ok = false
		return
	}
	s.st.Count++
	s.st.Max = max(s.st.Max, vi.Version())
	var v [8]byte
	binary.LittleEndian.PutUint64(v[:], vi.Version())
	s.h.Write(item.Key())
	s.h.Write(v[:])
}

// stamp is the stamp of the keys added; ok is false if one had no version.
func (s *stamper) stamp() (KeyStamp, bool) {
	st := s.st
	st.Hash = s.h.Sum64()
	return st, s.ok
}

// keyStamp walks the keys under prefix without their values. ok is false when the engine
// does not tell versions.
func keyStamp(ctx context.Context, db *gatedDB, prefix string) (st KeyStamp, ok bool, err error) {
	err = db.View(ctx, func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte(prefix)})
		defer it.Close()
		s := newStamper(prefix)
		s.at(txn)
		for it.Rewind(); it.Valid() && s.ok; it.Next() {
			s.add(it.Item())
		}
		st, ok = s.stamp()
		return nil
	})
	return st, ok, err
}

// StartDir is the directory a server keeps its start snapshots in, "" when it keeps none
// (Options.StartSnapshot unset, an encrypted store, another engine): the ledger view keeps
// its own there (query.Ledger.SaveStart).
func (s *Store) StartDir() string {
	if s.startSnapPath() == "" {
		return ""
	}
	return s.dir
}

// StartFileHolds reports whether the start snapshot name in StartDir, stamped want, still
// holds what the store holds under want.Prefix: at once when the store is still at want's
// version (nothing was written since), else by walking the keys. A file the walk finds good
// is marked with the walk's version, so that the next start need not walk again.
func (s *Store) StartFileHolds(ctx context.Context, name string, want KeyStamp) (bool, error) {
	if v, ok := s.version(); ok && want.Version != 0 && v == want.Version {
		return true, nil
	}
	s.stampWalks.Add(1)
	began := time.Now()
	got, ok, err := keyStamp(ctx, s.db, want.Prefix)
	if err != nil || !ok || !got.Same(want) {
		return false, err
	}
	s.log.Info("start snapshot checked by its keys: the store wrote since", "file", name,
		"took", time.Since(began).Round(time.Millisecond))
	if err := markSnapVersion(filepath.Join(s.dir, name), got.Version); err != nil {
		s.log.Warn("marking the start snapshot's version", "file", name, "err", err)
	}
	return true, nil
}

// version is the store's version now (Badger's read timestamp, which every commit raises);
// ok is false for an engine without one.
func (s *Store) version() (v uint64, ok bool) {
	err := s.db.View(context.Background(), func(txn KVTxn) error {
		var rt readStamped
		if rt, ok = txn.(readStamped); ok {
			v = rt.ReadTs()
		}
		return nil
	})
	return v, ok && err == nil
}

// CarryStartFile marks the start snapshot name in StartDir with the store's version now,
// when it held what the store held at open or later (its version is not older than the
// store's at open) and nothing was written under its prefix since the store opened: it
// then still holds it, and the next start takes it without a walk. It reports whether it
// did. The store closes with every snapshot carried this way (Close); a server's ledger view
// carries its own rather than writing it again when no concern changed.
func (s *Store) CarryStartFile(name string) bool {
	if !s.keepsStartFiles() {
		return false
	}
	path := filepath.Join(s.dir, name)
	head, err := readSnapHead(path)
	if err != nil || head.Version == 0 || head.Version < s.openVersion {
		return false
	}
	// The version first, then the log: a write noted after the log was read commits at a
	// later version than the one the file is marked with, and the next open walks.
	now, ok := s.version()
	if !ok || head.Version > now || s.db.wrote.wrote(head.Prefix) {
		return false
	}
	if now == head.Version {
		return true
	}
	if err := head.mark(path, now); err != nil {
		s.log.Warn("marking the start snapshot's version", "file", name, "err", err)
		return false
	}
	return true
}

// carryStarts carries every start snapshot in the data directory forward (CarryStartFile),
// as the store closes, and reports whether the store's own (start.snap) was among them.
func (s *Store) carryStarts() (ownCarried bool) {
	for _, name := range s.startFiles() {
		if s.CarryStartFile(name) && name == startSnapFile {
			ownCarried = true
		}
	}
	return ownCarried
}

// keepsStartFiles reports whether the store may read and mark start snapshots in its data
// directory: an encrypted store keeps none (they would hold its data in the clear), and a
// read-only one leaves them to the process that writes.
func (s *Store) keepsStartFiles() bool {
	return s.dir != "" && len(s.key) == 0 && !s.readOnly
}

// startFiles names the start snapshots in the data directory (*.snap).
func (s *Store) startFiles() []string {
	if !s.keepsStartFiles() {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(s.dir, "*"+snapExt))
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	return names
}

// snapExt ends every start snapshot's name.
const snapExt = ".snap"

// dropRewound removes the start snapshots whose version is past the store's at open: the
// store's files were put back from an older copy, whose later writes could reach the
// version the snapshot records without holding what it holds.
func (s *Store) dropRewound() {
	for _, name := range s.startFiles() {
		path := filepath.Join(s.dir, name)
		if head, err := readSnapHead(path); err == nil && head.Version > s.openVersion {
			s.log.Info("start snapshot not used", "file", name, "why", "the store is older than it")
			os.Remove(path)
		}
	}
}

// StampedConcernChunks is ConcernChunks for every concern, with the stamp of the keys it read
// (in the same transaction): what a start snapshot of them records.
func (s *Store) StampedConcernChunks(ctx context.Context, each func(seq int, cs []Concern)) (KeyStamp, bool, error) {
	st := newStamper("concern/")
	if err := scanChunks(ctx, s.db, "concern/", nil, each, st); err != nil {
		return KeyStamp{}, false, err
	}
	stamp, ok := st.stamp()
	return stamp, ok, nil
}

// startSnapPath is where the store's snapshot lives; "" for a store that keeps none.
func (s *Store) startSnapPath() string {
	if !s.keepsStartFiles() || !s.snap {
		return ""
	}
	return filepath.Join(s.dir, startSnapFile)
}

// saveStart writes the start snapshot: every household, read in one transaction, unless
// carried is set (carryStarts found it still holds them). Errors are logged: a server that
// could not write one starts as it did before.
func (s *Store) saveStart(carried bool) {
	path := s.startSnapPath()
	if path == "" || carried {
		return
	}
	if err := s.writeStart(); errors.Is(err, ErrClosed) {
		return // closed before: the snapshot then written stands
	} else if err != nil {
		os.Remove(path)
		s.log.Warn("writing the start snapshot", "err", err)
	}
}

func (s *Store) writeStart() error {
	st := newStamper("household/")
	hhs, err := scanStamped[Household](context.Background(), s.db, "household/", nil, st)
	stamp, versioned := st.stamp()
	if err != nil || !versioned {
		return err
	}
	w := NewSnapWriter(startSnapMagic, startSnapFormat, stamp)
	// A frame per village (their households come in key order, a village at a time), masked
	// as the cache holds them (villageHouseholds).
	var frames [][]byte
	for len(hhs) > 0 {
		n := 1
		for n < len(hhs) && hhs[n].Village == hhs[0].Village {
			n++
		}
		var f SnapWriter
		f.Str(hhs[0].Village)
		f.Uint(uint64(n))
		for _, h := range hhs[:n] {
			f.household(maskHousehold(h))
		}
		frames, hhs = append(frames, f.b), hhs[n:]
	}
	w.Frames(frames, 0)
	return s.WriteStartFile(startSnapFile, w.b)
}

// WriteStartFile writes a start snapshot named name into StartDir (nothing when it is ""),
// unless that would leave the disk less room than the store's writes keep (ErrDiskFull): a
// snapshot only makes a start faster. The file goes through a temporary one renamed over it,
// so a crash leaves the old file or the new one, never half of one.
func (s *Store) WriteStartFile(name string, data []byte) error {
	dir := s.StartDir()
	if dir == "" {
		return nil
	}
	path := filepath.Join(dir, name)
	var old uint64 // freed when the new file replaces it
	if info, err := os.Stat(path); err == nil {
		old = uint64(info.Size())
	}
	if n := uint64(len(data)); n > old {
		if err := s.space.room(n - old); err != nil {
			os.Remove(path) // an older one frees its room, and the store may have changed since
			return err
		}
	}
	return writeFileSynced(path, data)
}

// writeFileSynced writes data to path through a temporary file renamed over it.
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
	r, err := OpenSnapFile(path, startSnapMagic, startSnapFormat)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0, nil
	case errors.Is(err, ErrSnapStale):
		s.log.Info("start snapshot not used", "file", startSnapFile, "why", err)
		return 0, os.Remove(path)
	case err != nil:
		return 0, err
	}
	defer r.Close()
	stale := func(why string) (int, error) {
		s.log.Info("start snapshot not used", "file", startSnapFile, "why", why)
		return 0, os.Remove(path)
	}
	want := r.Stamp()
	n := r.Uint()
	if r.err != nil || want.Prefix != "household/" {
		return stale("cut short")
	}
	// The households are decoded while another core walks the keys they are checked against,
	// if the store wrote since the file was.
	walked := parallel.Aside(func() (bool, error) {
		return s.StartFileHolds(context.Background(), startSnapFile, want)
	})
	parts, decodeErr := decodeStart(r, n)
	holds, walkErr := walked()
	switch {
	case walkErr != nil:
		return 0, walkErr
	case !holds:
		return stale("the households changed since it was written")
	case decodeErr != nil:
		return stale("damaged")
	}
	// The file says what the store held when it was written; that this program would cache
	// the same for it (its decoding and masking may have changed with the format number
	// left as it was) is checked on a household or two, read and masked now.
	for i, p := range parts {
		if len(p.hhs) == 0 || (i != 0 && i != len(parts)-1) {
			continue
		}
		for _, h := range []Household{p.hhs[0], p.hhs[len(p.hhs)-1]} {
			now, err := s.household(context.Background(), h.Village, h.ID)
			if err != nil || !reflect.DeepEqual(maskHousehold(now), h) {
				return stale("this program reads the households otherwise")
			}
		}
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
func decodeStart(r *SnapFile, n uint64) ([]villageRows, error) {
	// One string per village: its households' fields are slices of it, so a village read
	// again after a write frees its own.
	var frames []string
	for range n {
		if frames = append(frames, r.Text()); r.err != nil {
			return nil, r.err
		}
	}
	if !r.AtEnd() {
		return nil, errSnapShort
	}
	return parallel.Parts(len(frames), func(i int) (villageRows, error) {
		vr := SnapText(frames[i])
		code := vr.Str()
		hhs := make([]Household, 0, min(vr.Uint(), uint64(len(vr.s))))
		for vr.err == nil && len(vr.s) > 0 {
			hhs = append(hhs, vr.household())
		}
		if vr.err != nil {
			return villageRows{}, vr.err
		}
		return villageRows{code, slices.Clip(hhs)}, nil
	})
}

// ErrSnapStale is a snapshot file of another kind or version (OpenSnapFile).
var ErrSnapStale = errors.New("written by another version, or not a snapshot")

// NewSnapWriter starts a snapshot with its head: its magic line (ending in a newline, the
// only one in it), its format version and the stamp of what it holds. Every snapshot starts
// so, whatever its format, and the store's version in the stamp comes first, in eight bytes:
// the store reads and marks it without knowing the rest (readSnapHead, markSnapVersion).
func NewSnapWriter(magic string, format uint64, st KeyStamp) *SnapWriter {
	w := &SnapWriter{b: []byte(magic)}
	w.Uint(format)
	w.b = binary.LittleEndian.AppendUint64(w.b, st.Version)
	w.Str(st.Prefix)
	w.Uint(st.Count)
	w.Uint(st.Max)
	w.b = binary.LittleEndian.AppendUint64(w.b, st.Hash)
	return w
}

// snapHead is a snapshot's stamp and where its version lies in the file.
type snapHead struct {
	KeyStamp
	versionAt int64
}

// readSnapHead reads the head of the snapshot at path, of any kind and format.
func readSnapHead(path string) (snapHead, error) {
	sf, size, err := openSnap(path, 4096)
	if err != nil {
		return snapHead{}, err
	}
	defer sf.Close()
	line, err := sf.r.ReadString('\n')
	if err != nil {
		return snapHead{}, errSnapShort
	}
	sf.left -= int64(len(line))
	sf.Uint() // format
	h := snapHead{versionAt: size - sf.left}
	h.KeyStamp = sf.stamp()
	return h, sf.err
}

// markSnapVersion writes version into the head of the snapshot at path, in place.
func markSnapVersion(path string, version uint64) error {
	h, err := readSnapHead(path)
	if err != nil {
		return err
	}
	return h.mark(path, version)
}

// mark writes version into the head h was read from, the snapshot at path.
func (h snapHead) mark(path string, version uint64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err = f.WriteAt(binary.LittleEndian.AppendUint64(nil, version), h.versionAt); err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// SnapFile reads a snapshot file as it goes, through a small buffer: a county's ledger
// snapshot is 100 MB, and reading it whole before its frames were copied out raised the
// server's peak memory by as much.
type SnapFile struct {
	f    *os.File
	r    *bufio.Reader
	left int64 // bytes not read yet
	err  error
	st   KeyStamp // the head's
}

// OpenSnapFile opens the snapshot at path and checks its magic line and format version
// (ErrSnapStale when they differ); reads go on after them. Close it when done.
func OpenSnapFile(path, magic string, format uint64) (*SnapFile, error) {
	sf, _, err := openSnap(path, 256<<10)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(sf.r, head); err != nil || string(head) != magic {
		sf.Close()
		return nil, ErrSnapStale
	}
	sf.left -= int64(len(magic))
	if sf.Uint() != format || sf.err != nil {
		sf.Close()
		return nil, ErrSnapStale
	}
	if sf.st = sf.stamp(); sf.err != nil {
		sf.Close()
		return nil, ErrSnapStale
	}
	return sf, nil
}

// openSnap opens the file at path for reading through a buffer of buf bytes, with its size.
func openSnap(path string, buf int) (*SnapFile, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return &SnapFile{f: f, r: bufio.NewReaderSize(f, buf), left: info.Size()}, info.Size(), nil
}

// Close closes the file.
func (f *SnapFile) Close() error { return f.f.Close() }

// Err is the first error a read met: the file ended inside a value, or could not be read.
func (f *SnapFile) Err() error { return f.err }

// AtEnd reports whether every byte of the file was read.
func (f *SnapFile) AtEnd() bool { return f.err == nil && f.left == 0 }

// ReadByte reads one byte (for binary.ReadUvarint).
func (f *SnapFile) ReadByte() (byte, error) {
	c, err := f.r.ReadByte()
	if err == nil {
		f.left--
	}
	return c, err
}

// Uint reads an unsigned varint.
func (f *SnapFile) Uint() uint64 {
	if f.err != nil {
		return 0
	}
	n, err := binary.ReadUvarint(f)
	if err != nil {
		f.err = errSnapShort
	}
	return n
}

// Fixed64 reads eight bytes, little-endian.
func (f *SnapFile) Fixed64() uint64 {
	var b [8]byte
	if f.err != nil {
		return 0
	}
	if _, err := io.ReadFull(f.r, b[:]); err != nil {
		f.err = errSnapShort
		return 0
	}
	f.left -= 8
	return binary.LittleEndian.Uint64(b[:])
}

// Stamp is the stamp in the file's head.
func (f *SnapFile) Stamp() KeyStamp { return f.st }

// stamp reads a key stamp, as NewSnapWriter writes it.
func (f *SnapFile) stamp() KeyStamp {
	var st KeyStamp
	st.Version = f.Fixed64()
	st.Prefix = f.Text()
	st.Count, st.Max = f.Uint(), f.Uint()
	st.Hash = f.Fixed64()
	return st
}

// Text reads a length and that many bytes, as one string (a frame the text reader takes
// apart, SnapText); a length past the file's end is an error, not an allocation.
func (f *SnapFile) Text() string {
	n := f.Uint()
	if f.err != nil || n > uint64(f.left) {
		f.err = errSnapShort
		return ""
	}
	var b strings.Builder
	b.Grow(int(n))
	if _, err := io.CopyN(&b, f.r, int64(n)); err != nil {
		f.err = errSnapShort
		return ""
	}
	f.left -= int64(n)
	return b.String()
}

// SnapText reads what a SnapWriter wrote from s, handing strings out as slices of s.
func SnapText(s string) *SnapReader { return &SnapReader{s: s} }

// Err is the first error a read met: the text ended inside a value.
func (r *SnapReader) Err() error { return r.err }

// Len is how many bytes are left to read.
func (r *SnapReader) Len() int { return len(r.s) }

// Rest is what is left to read.
func (r *SnapReader) Rest() string { return r.s }

// Data is what the writer holds.
func (w *SnapWriter) Data() []byte { return w.b }

// Frames appends frames made apart (on other cores, or before their count was known): their
// count, then each as its length and its bytes. The writer grows once to hold them and extra
// bytes more, what the caller writes after them: a county's 100 MB grown by doubling was a
// second of a stop's CPU, most of it the kernel handing out fresh pages.
func (w *SnapWriter) Frames(frames [][]byte, extra int) {
	size := binary.MaxVarintLen64 + extra
	for _, f := range frames {
		size += len(f) + binary.MaxVarintLen64
	}
	w.b = slices.Grow(w.b, size)
	w.Uint(uint64(len(frames)))
	for _, f := range frames {
		w.Uint(uint64(len(f)))
		w.b = append(w.b, f...)
	}
}

// SnapWriter appends the snapshot's values: unsigned varints, and strings and slices as
// their length (slices as length+1, 0 for nil, so nil and empty come back as they were)
// followed by their contents.
type SnapWriter struct{ b []byte }

// Uint appends n as an unsigned varint.
func (w *SnapWriter) Uint(n uint64) { w.b = binary.AppendUvarint(w.b, n) }

// Str appends s, length first.
func (w *SnapWriter) Str(s string) {
	w.Uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// Strs appends a list of strings, telling nil from empty.
func (w *SnapWriter) Strs(ss []string) {
	if ss == nil {
		w.Uint(0)
		return
	}
	w.Uint(uint64(len(ss)) + 1)
	for _, s := range ss {
		w.Str(s)
	}
}

// household writes every field of h; SnapReader.household reads them back in this order.
func (w *SnapWriter) household(h Household) {
	w.Str(h.ID)
	w.Str(h.Village)
	w.Str(h.Grid)
	w.Str(h.Address)
	w.Strs(h.Special)
	if h.Residents == nil {
		w.Uint(0)
	} else {
		w.Uint(uint64(len(h.Residents)) + 1)
	}
	for _, r := range h.Residents {
		w.Str(r.ID)
		w.Str(r.Name)
		w.Str(r.Relation)
		w.Str(r.Gender)
		w.Str(r.Born)
		w.Str(r.IDNumber)
		w.Str(r.Phone)
		w.Str(r.Political)
		w.Strs(r.Special)
		w.Str(r.MovedOut)
	}
	w.Str(h.MovedOut)
}

// errSnapShort is a snapshot that ends inside a value.
var errSnapShort = errors.New("start snapshot cut short")

// SnapReader reads what SnapWriter wrote out of a string (a frame of a snapshot file), whose
// strings it hands out as slices of it.
type SnapReader struct {
	s   string
	err error
}

// Uint reads an unsigned varint.
func (r *SnapReader) Uint() uint64 {
	if r.err != nil {
		return 0
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

// Str reads a length and that many bytes as a slice of the text (from SnapText's reader).
func (r *SnapReader) Str() string {
	n := r.Uint()
	if r.err != nil || n > uint64(len(r.s)) {
		r.err = errSnapShort
		return ""
	}
	out := r.s[:n]
	r.s = r.s[n:]
	return out
}

// count reads a slice's length+1 (0 for nil); ok is false for nil.
func (r *SnapReader) count() (n int, ok bool) {
	c := r.Uint()
	if c == 0 || r.err != nil {
		return 0, false
	}
	if c-1 > uint64(len(r.s)) { // every element takes a byte at least
		r.err = errSnapShort
		return 0, false
	}
	return int(c - 1), true
}

// Strs reads a list of strings.
func (r *SnapReader) Strs() []string {
	n, ok := r.count()
	if !ok {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.Str()
	}
	return out
}

func (r *SnapReader) household() Household {
	var h Household
	h.ID, h.Village, h.Grid, h.Address = r.Str(), r.Str(), r.Str(), r.Str()
	h.Special = r.Strs()
	if n, ok := r.count(); ok {
		h.Residents = make([]Resident, n)
		for i := range h.Residents {
			p := &h.Residents[i]
			p.ID, p.Name, p.Relation, p.Gender, p.Born = r.Str(), r.Str(), r.Str(), r.Str(), r.Str()
			p.IDNumber, p.Phone, p.Political = r.Str(), r.Str(), r.Str()
			p.Special = r.Strs()
			p.MovedOut = r.Str()
		}
	}
	h.MovedOut = r.Str()
	return h
}

// Int appends n as a signed (zigzag) varint.
func (w *SnapWriter) Int(n int64) { w.b = binary.AppendVarint(w.b, n) }

// Int reads a signed varint.
func (r *SnapReader) Int() int64 {
	u := r.Uint()
	return int64(u>>1) ^ -int64(u&1) // zigzag, as binary.AppendVarint writes it
}

// Packed concerns in a start snapshot: the ledger view's (query.Ledger.SaveStart).

// packedWhole marks a packed concern kept whole, written as JSON; packedDeadline and
// packedResidents are the flags of one that is packed.
const (
	packedWhole = 1 << iota
	packedDeadline
	packedResidents
	// packedNoResidents marks a whole one whose residents are an empty list, not nil (JSON
	// tells the two apart only by omitting both).
	packedNoResidents
)

// Packed appends p in the form SnapReader.Packed reads: its text and fields, or a concern
// kept whole as its JSON and its history's summary. The JSON gives every field back as the store's
// own reading of it does (the view's concerns are read from the store), times included: the
// same instants, in UTC, Local or a zone of the same offset.
func (w *SnapWriter) Packed(p *Packed) error {
	if p.full != nil {
		// Its fields, without the guard that keeps a lean concern from being written as a
		// whole one: the summary goes beside it, and ReadPacked makes it lean again.
		whole := *p.full
		whole.lean = nil
		c, err := json.Marshal(whole)
		if err != nil {
			return err
		}
		h, err := json.Marshal(p.full.History())
		if err != nil {
			return err
		}
		flags := uint64(packedWhole)
		if whole.Residents != nil && len(whole.Residents) == 0 {
			flags |= packedNoResidents
		}
		w.Uint(flags)
		w.Str(string(c))
		w.Str(string(h))
		return nil
	}
	var flags uint64
	if p.deadline {
		flags |= packedDeadline
	}
	if p.residents {
		flags |= packedResidents
	}
	w.Uint(flags)
	w.Str(p.text)
	for _, e := range p.ends {
		w.Uint(uint64(e))
	}
	w.Uint(uint64(p.kinds))
	w.Int(int64(p.rev))
	w.Int(int64(p.ext))
	w.Int(int64(p.bounces))
	for _, t := range p.times {
		w.Int(t)
	}
	return nil
}

// Packed reads a packed concern SnapWriter.Packed wrote (from SnapText's reader). Its text
// is a slice of the reader's, as a Packer's concerns share their chunk.
func (r *SnapReader) Packed() (Packed, error) {
	flags := r.Uint()
	if flags&packedWhole != 0 {
		cj, hj := r.Str(), r.Str()
		if r.err != nil {
			return Packed{}, r.err
		}
		var c Concern
		var h History
		if err := json.Unmarshal([]byte(cj), &c); err != nil {
			r.err = err
			return Packed{}, err
		}
		if err := json.Unmarshal([]byte(hj), &h); err != nil {
			r.err = err
			return Packed{}, err
		}
		c.lean, c.Moves = &h, nil
		if flags&packedNoResidents != 0 {
			c.Residents = []string{}
		}
		return Packed{full: &c}, nil
	}
	p := Packed{deadline: flags&packedDeadline != 0, residents: flags&packedResidents != 0}
	p.text = r.Str()
	for i := range p.ends {
		e := r.Uint()
		if e > uint64(len(p.text)) || (i > 0 && uint16(e) < p.ends[i-1]) {
			r.err = errSnapShort
		}
		p.ends[i] = uint16(e)
	}
	p.kinds = uint16(r.Uint())
	p.rev, p.ext, p.bounces = int32(r.Int()), int32(r.Int()), int32(r.Int())
	for i := range p.times {
		p.times[i] = r.Int()
	}
	if r.err == nil && p.ends[numPackedStrings-1] != uint16(len(p.text)) {
		r.err = errSnapShort
	}
	if r.err != nil {
		return Packed{}, r.err
	}
	return p, nil
}
