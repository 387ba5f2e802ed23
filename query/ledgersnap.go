package query

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"sanbai/parallel"
	"sanbai/search"
	"sanbai/store"
)

// The ledger view's start snapshot. After a start a county server's queue waited 2.4–2.9 s for
// the view: 200,000 concerns decoded from JSON, packed, given search keys and sorted four
// ways. A server that stops cleanly writes the view as a fresh read makes it — packed rows,
// search keys, every order — to ledger.snap beside the store's own start snapshot
// (store/startsnap.go), and the next start's first load reads it instead while the concern
// keys are still what it recorded (store.Store.StartFileHolds): at once when the store is at
// the version the file records, else by their number, highest version and a hash of keys and
// versions, walked on one core while the file is decoded on the other. A write to any concern
// since drops it; so does a renamed grid (the search keys hold grid names) or another format.
// The file is made from one read transaction — not from the live view, whose rows were read
// in many — so it is exactly one state of the store.

const (
	ledgerSnapFile   = "ledger.snap"
	ledgerSnapMagic  = "sanbai ledger snapshot\n"
	ledgerSnapFormat = 2
	// ledgerSnapFrame is how many rows one frame of the file holds. A frame is read as one
	// string its rows' texts are slices of, so it is freed once its rows are all replaced,
	// as a Packer's chunk is; and the frames are decoded on every core.
	ledgerSnapFrame = 512
)

// startSource is a Source that keeps start snapshots (store.Store on Badger).
type startSource interface {
	StartDir() string
	WriteStartFile(name string, data []byte) error
	StartFileHolds(ctx context.Context, name string, want store.KeyStamp) (bool, error)
	CarryStartFile(name string) bool
	StampedConcernChunks(ctx context.Context, each func(seq int, cs []store.Concern)) (store.KeyStamp, bool, error)
}

// UseStart makes the view's first load read its start snapshot, when the store keeps them
// (store.Store.StartDir). Call it before the first query or Warm.
func (l *Ledger) UseStart() {
	if src, ok := l.src.(startSource); ok {
		l.startDir = src.StartDir()
	}
}

// UsesStart reports whether the view's first load reads a start snapshot (UseStart, and the
// store keeps them); it may still find the file stale and read the store.
func (l *Ledger) UsesStart() bool { return l.startDir != "" }

// SaveStart writes the view's start snapshot for the server's next start, from the concerns
// read again in one transaction (a county's take seconds), and reports whether it wrote one.
// It does nothing when the store keeps no snapshots, and keeps the file there when the view
// was read from it and nothing it holds changed since.
func (l *Ledger) SaveStart(ctx context.Context) (bool, error) {
	src, ok := l.src.(startSource)
	if !ok || src.StartDir() == "" {
		return false, nil
	}
	grids, err := l.gridNames()
	if err != nil {
		return false, err
	}
	// A view read from its snapshot, with no concern written since, the same day and the
	// same grid names, would write the same file again (seconds on a county): the store
	// marks the one there as current instead.
	l.syncMu.Lock()
	same := l.startDay == l.src.Today() && l.startGrids != nil && maps.Equal(l.startGrids, grids)
	l.syncMu.Unlock()
	if same && src.CarryStartFile(ledgerSnapFile) {
		return false, nil
	}
	var (
		stamp     store.KeyStamp
		versioned bool
	)
	list, keys, err := readLedgerRows(grids, func(each func(seq int, cs []store.Concern)) error {
		stamp, versioned, err = src.StampedConcernChunks(ctx, each)
		return err
	})
	if err != nil || !versioned {
		return false, err
	}
	today := l.src.Today()
	sorted := sortOrders(list, today, OrderMeeting, OrderDeadline, OrderNewest, OrderVillage)

	w := store.NewSnapWriter(ledgerSnapMagic, ledgerSnapFormat, stamp)
	w.Str(today)
	codes := make([]string, 0, len(grids))
	for code := range grids {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	w.Uint(uint64(len(codes)))
	for _, code := range codes {
		w.Str(code)
		w.Str(grids[code])
	}
	w.Uint(uint64(len(list)))
	frames := make([][]byte, (len(list)+ledgerSnapFrame-1)/ledgerSnapFrame)
	for f := range frames {
		var frame store.SnapWriter
		for i := f * ledgerSnapFrame; i < min((f+1)*ledgerSnapFrame, len(list)); i++ {
			r := list[i]
			frame.Uint(rowFlags(r))
			if err := frame.Packed(&r.c); err != nil {
				return false, fmt.Errorf("%s: %w", r.c.ID(), err)
			}
			frame.Str(keys[i])
		}
		frames[f] = frame.Data()
	}
	// The orders follow the frames: room for them too.
	w.Frames(frames, int(orderKey)*len(list)*binary.MaxVarintLen32)
	for o := range orderKey {
		for _, r := range sorted[o] {
			w.Uint(uint64(r.slot))
		}
	}
	return true, src.WriteStartFile(ledgerSnapFile, w.Data())
}

// rowFlags packs a row's open, problem and tag marks.
func rowFlags(r *ledgerRow) uint64 {
	f := uint64(r.tag) << 2
	if r.open {
		f |= 1
	}
	if r.problem {
		f |= 2
	}
	return f
}

// errLedgerSnap is a ledger snapshot that does not read back whole.
var errLedgerSnap = errors.New("damaged")

// loadStart installs the view from its start snapshot if it is current, and drops it if not;
// false means the store is to be read instead. Callers hold syncMu.
func (l *Ledger) loadStart() bool {
	src := l.src.(startSource)
	path := filepath.Join(l.startDir, ledgerSnapFile)
	stale := func(why string) bool {
		l.log.Info("start snapshot not used", "file", ledgerSnapFile, "why", why)
		os.Remove(path)
		return false
	}
	r, err := store.OpenSnapFile(path, ledgerSnapMagic, ledgerSnapFormat)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false
	case errors.Is(err, store.ErrSnapStale):
		return stale(err.Error())
	case err != nil:
		l.log.Warn("reading the ledger's start snapshot", "err", err)
		return false
	}
	defer r.Close()
	want := r.Stamp()
	if want.Prefix != "concern/" {
		return stale(errLedgerSnap.Error())
	}
	walked := parallel.Aside(func() (bool, error) {
		return src.StartFileHolds(context.Background(), ledgerSnapFile, want)
	})
	grids, err := l.gridNames()
	var snap ledgerSnap
	if err == nil {
		snap, err = readLedgerSnap(r, grids)
	}
	holds, walkErr := walked()
	switch {
	case walkErr != nil:
		l.log.Warn("checking the ledger's start snapshot", "err", walkErr)
		return false
	case !holds:
		return stale("the concerns changed since it was written")
	case err != nil:
		return stale(err.Error())
	}
	// The file says what the store held when it was written; that this program would make
	// the same rows of it (its search keys, packing or marks may have changed with the
	// format number left as it was) is checked on three concerns, read and made now.
	keyer := search.NewKeyer()
	for _, i := range []int{0, len(snap.list) / 2, len(snap.list) - 1} {
		if len(snap.list) == 0 {
			break
		}
		r := snap.list[i]
		c, err := l.src.Concern(context.Background(), store.System(), r.c.ID())
		if err != nil {
			return stale("its concern " + r.c.ID() + " reads otherwise")
		}
		fresh, key := newLedgerRow(c, grids, keyer, nil)
		if key != snap.keys[i] || rowFlags(&fresh) != rowFlags(r) || !reflect.DeepEqual(fresh.c.Concern(), r.c.Concern()) {
			return stale("this program makes the view otherwise")
		}
	}
	// The meeting order puts the overdue first: sorted again on another day.
	today := l.src.Today()
	if snap.today != today {
		snap.sorted[OrderMeeting] = sortOrders(snap.list, today, OrderMeeting)[OrderMeeting]
	}
	l.install(snap.list, snap.keys, grids, today, snap.sorted)
	l.startDay, l.startGrids = snap.today, grids
	l.log.Info("ledger view read from the start snapshot", "concerns", len(snap.list))
	return true
}

// ledgerSnap is what a ledger snapshot holds.
type ledgerSnap struct {
	today  string
	list   []*ledgerRow
	keys   []string
	sorted [numOrders][]*ledgerRow
}

// readLedgerSnap reads the snapshot after its stamp, checking that it was made with the grid
// names the view has now.
func readLedgerSnap(r *store.SnapFile, grids map[string]string) (ledgerSnap, error) {
	var s ledgerSnap
	s.today = r.Text()
	if n := r.Uint(); n != uint64(len(grids)) {
		return s, errors.New("the grids changed since it was written")
	}
	for range len(grids) {
		code, name := r.Text(), r.Text()
		if got, ok := grids[code]; !ok || got != name {
			return s, errors.New("the grids changed since it was written")
		}
	}
	n, frames := r.Uint(), r.Uint()
	if r.Err() != nil || frames != (n+ledgerSnapFrame-1)/ledgerSnapFrame {
		return s, errLedgerSnap
	}
	blobs := make([]string, 0, min(frames, 1<<16))
	for range frames {
		if blobs = append(blobs, r.Text()); r.Err() != nil {
			return s, errLedgerSnap
		}
	}
	slab := make([]ledgerRow, n)
	s.list, s.keys = make([]*ledgerRow, n), make([]string, n)
	_, err := parallel.Parts(len(blobs), func(f int) (struct{}, error) {
		t := store.SnapText(blobs[f])
		for i := f * ledgerSnapFrame; i < min((f+1)*ledgerSnapFrame, int(n)); i++ {
			flags := t.Uint()
			c, err := t.Packed()
			if err != nil {
				return struct{}{}, errLedgerSnap
			}
			slab[i] = ledgerRow{slot: int32(i), open: flags&1 != 0, problem: flags&2 != 0, tag: int8(flags >> 2 & 3), c: c}
			s.list[i], s.keys[i] = &slab[i], t.Str()
		}
		if t.Err() != nil || t.Len() != 0 {
			return struct{}{}, errLedgerSnap
		}
		return struct{}{}, nil
	})
	if err != nil {
		return s, err
	}
	// Each order is every row once.
	seen := make([]int32, n)
	for o := range orderKey {
		s.sorted[o] = make([]*ledgerRow, n)
		for j := range s.sorted[o] {
			slot := r.Uint()
			if slot >= n || seen[slot] != int32(o) {
				return s, errLedgerSnap
			}
			seen[slot]++
			s.sorted[o][j] = &slab[slot]
		}
	}
	if !r.AtEnd() {
		return s, errLedgerSnap
	}
	return s, nil
}
