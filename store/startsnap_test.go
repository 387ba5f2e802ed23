package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// filledHousehold returns a household with every exported field set to a value of its own,
// residents included (a field added to Household or Resident is filled too, so a snapshot
// that forgets it fails TestStartSnapshotKeepsEveryField).
func filledHousehold(t *testing.T) Household {
	t.Helper()
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			n++
			switch {
			case f.Kind() == reflect.String:
				f.SetString("值" + strings.Repeat("x", n))
			case f.Type() == reflect.TypeFor[[]string]():
				f.Set(reflect.ValueOf([]string{"低保", "独居" + strings.Repeat("y", n)}))
			case f.Type() == reflect.TypeFor[[]Resident]():
				rs := make([]Resident, 2)
				for j := range rs {
					fill(reflect.ValueOf(&rs[j]).Elem())
				}
				f.Set(reflect.ValueOf(rs))
			default:
				t.Fatalf("filledHousehold: no value for %s %s: teach the test (and the snapshot) about it", sf.Name, f.Type())
			}
		}
	}
	var h Household
	fill(reflect.ValueOf(&h).Elem())
	return h
}

// TestStartSnapshotKeepsEveryField: a household written to the snapshot and read back is the
// same, every field, with nil and empty lists told apart.
func TestStartSnapshotKeepsEveryField(t *testing.T) {
	full := filledHousehold(t)
	bare := Household{ID: "H1", Residents: []Resident{}}
	odd := Household{ID: "H2", Address: strings.Repeat("长", 300), Residents: []Resident{{ID: "R", Special: []string{}}}}
	for _, h := range []Household{full, bare, odd, {}} {
		var w SnapWriter
		w.household(h)
		r := SnapText(string(w.b))
		got := r.household()
		if r.err != nil || len(r.s) != 0 || !reflect.DeepEqual(got, h) {
			t.Fatalf("read back %+v (err %v, %d bytes left), want %+v", got, r.err, len(r.s), h)
		}
		// Cut anywhere, it is an error, never a panic or a wrong household taken for right.
		for cut := range len(w.b) {
			r := SnapText(string(w.b[:cut]))
			r.household()
			if r.err == nil {
				t.Fatalf("a household cut at byte %d of %d read without an error", cut, len(w.b))
			}
		}
	}
}

// snapOpener opens the store in dir as a server does (snap) or as an admin command does.
func snapOpener(t *testing.T, dir string) func(snap bool) *Store {
	return func(snap bool) *Store {
		t.Helper()
		s, err := Open(dir, Options{StartSnapshot: snap})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// cached is how many villages' households the store's cache holds.
func cached(s *Store) int {
	s.hh.mu.Lock()
	defer s.hh.mu.Unlock()
	return len(s.hh.rows)
}

// TestStartSnapshot: a server's store closed cleanly starts again with its households read
// from the snapshot, the same rows a cold read gives; a write to a household since (even one
// made by a store that keeps no snapshot, as an admin command's) makes the next start read the
// store instead and drop the file, a write elsewhere does not, and a damaged file is dropped.
func TestStartSnapshot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, startSnapFile)
	open := snapOpener(t, dir)
	read := func(s *Store) []Household {
		t.Helper()
		hhs, err := s.Households(t.Context(), System())
		if err != nil {
			t.Fatal(err)
		}
		return hhs
	}
	s := open(true)
	d := small()
	d.Households[0].Residents[0].Phone, d.Households[0].Residents[0].IDNumber = "13812345678", "370102196505120011"
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	want := read(s)
	if want[0].Residents[0].Phone != "138****5678" {
		t.Fatalf("households should read masked: %+v", want[0].Residents[0])
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("a server's store should leave a snapshot when it closes: %v", err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "13812345678") || strings.Contains(string(raw), "370102196505120011") {
		t.Fatal("the snapshot holds a phone or an ID number unmasked")
	}

	// Started again: the cache is full before anyone reads, and reads as a cold store does.
	s = open(true)
	if n := cached(s); n != len(d.Villages) {
		t.Fatalf("%d villages cached at open from the snapshot, want %d", n, len(d.Villages))
	}
	if got := read(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("from the snapshot:\n%+v\nwant\n%+v", got, want)
	}
	// A file that reads as this program would not cache the store (its masking changed, say)
	// is not used, though its stamp is right: the first household's address altered in it.
	s.Close()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	addr := want[0].Address
	altered := strings.Replace(string(good), addr, strings.Repeat("x", len(addr)), 1)
	if altered == string(good) {
		t.Fatal("the first household's address is not in the snapshot")
	}
	if err := os.WriteFile(path, []byte(altered), 0o600); err != nil {
		t.Fatal(err)
	}
	s = open(true)
	if n := cached(s); n != 0 {
		t.Fatalf("a snapshot that differs from what the store reads filled %d villages", n)
	}
	if got := read(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after an altered snapshot:\n%+v\nwant\n%+v", got, want)
	}
	s.Close()
	s = open(true)
	// A write elsewhere (a user added) leaves the snapshot good.
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "陈静", Role: RoleVillage}, keyLine(t)), "DL"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(false) // as an admin command does: it neither reads nor writes a snapshot
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "王五", Role: RoleVillage}, keyLine(t)), "XH"); err != nil {
		t.Fatal(err)
	}
	if n := cached(s); n != 0 {
		t.Fatalf("a store opened without StartSnapshot read it (%d villages)", n)
	}
	s.Close()
	s = open(true)
	if n := cached(s); n != len(d.Villages) {
		t.Fatalf("after writes to users only, %d villages cached at open, want %d", n, len(d.Villages))
	}
	s.Close()

	// A household changed by a store that writes no snapshot: the old one must not be used.
	s = open(false)
	readdress(t, s, want[1], "新地址1号")
	s.Close()
	s = open(true)
	if n := cached(s); n != 0 {
		t.Fatalf("a snapshot older than a household's change filled %d villages", n)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a stale snapshot should be removed: %v", err)
	}
	if got := read(s); got[1].Address != "新地址1号" {
		t.Fatalf("the changed address should read back after a start: %+v", got[1])
	}
	s.Close()

	// A damaged snapshot is dropped, and the store reads as before.
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{raw[:len(raw)-3], append(raw[:len(raw):len(raw)], 0), []byte("junk")} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		s = open(true)
		if n := cached(s); n != 0 {
			t.Fatalf("a damaged snapshot filled %d villages", n)
		}
		if got := read(s); got[1].Address != "新地址1号" || len(got) != len(want) {
			t.Fatalf("after a damaged snapshot: %+v", got)
		}
		s.Close()
	}
	// An encrypted store keeps none.
	os.Remove(path)
	key := make([]byte, 32)
	es, err := Open(t.TempDir(), Options{StartSnapshot: true, EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := es.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	es.Close()
	if _, err := os.Stat(filepath.Join(es.Dir(), startSnapFile)); !os.IsNotExist(err) {
		t.Fatalf("an encrypted store wrote a snapshot in the clear: %v", err)
	}
}

// TestStartSnapshotByVersion: a start after a clean stop, or after an admin command that
// wrote no household, takes the snapshot by the store's version without walking the keys; a
// household written by a store that keeps no snapshot, a version the walk finds good, and a
// store older than its snapshot each take their own path.
func TestStartSnapshotByVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, startSnapFile)
	open := snapOpener(t, dir)
	head := func() snapHead {
		t.Helper()
		h, err := readSnapHead(path)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	s := open(true)
	d := small()
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// A clean stop and a start: taken by version, and the stop wrote nothing new.
	s = open(true)
	if n, walks := cached(s), s.stampWalks.Load(); n != len(d.Villages) || walks != 0 {
		t.Fatalf("after a clean stop: %d villages cached, %d walks; want %d and none", n, walks, len(d.Villages))
	}
	if v, _ := s.version(); head().Version != v {
		t.Fatalf("the snapshot's version %d is not the store's %d", head().Version, v)
	}
	s.Close()
	if again, _ := os.ReadFile(path); !bytes.Equal(again, written) {
		t.Fatal("a server that wrote no household wrote its snapshot again")
	}

	// An admin command adds a user: it carries the snapshot forward as it closes.
	s = open(false)
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "陈静", Role: RoleVillage}, keyLine(t)), "DL"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(true)
	if n, walks := cached(s), s.stampWalks.Load(); n != len(d.Villages) || walks != 0 {
		t.Fatalf("after a user was added: %d villages cached, %d walks; want %d and none", n, walks, len(d.Villages))
	}
	s.Close()

	// A version the store never had (as when the file was written by a store that then
	// wrote users and stopped without carrying it): the walk finds the keys the same, and
	// marks the file, so the next start takes it by version.
	if err := markSnapVersion(path, 1); err != nil {
		t.Fatal(err)
	}
	s = open(true)
	if n, walks := cached(s), s.stampWalks.Load(); n != len(d.Villages) || walks != 1 {
		t.Fatalf("an unknown version: %d villages cached, %d walks; want %d and one", n, walks, len(d.Villages))
	}
	s.Close()
	s = open(true)
	if walks := s.stampWalks.Load(); walks != 0 {
		t.Fatalf("the walk should have marked the snapshot: %d walks at the next start", walks)
	}
	s.Close()

	// A household written by an admin command: not carried, and dropped at the next start.
	s = open(false)
	want, err := s.Households(t.Context(), System())
	if err != nil {
		t.Fatal(err)
	}
	readdress(t, s, want[0], "新地址2号")
	s.Close()
	s = open(true)
	if n, walks := cached(s), s.stampWalks.Load(); n != 0 || walks != 1 {
		t.Fatalf("after a household was written: %d villages cached, %d walks; want none and one", n, walks)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the stale snapshot should be removed: %v", err)
	}
	s.Close()

	// A store older than its snapshot (its files put back from a copy): any open drops it,
	// as later writes could bring the store to the snapshot's version with other households.
	if err := markSnapVersion(path, head().Version+1000); err != nil {
		t.Fatal(err)
	}
	s = open(false)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a snapshot newer than the store should be removed at open: %v", err)
	}
	s.Close()
}

// TestStartSnapshotKeepsTheRoom: a snapshot that would leave the disk less than the room the
// store's writes keep is not written (and an old one is dropped); with room, it is.
func TestStartSnapshotKeepsTheRoom(t *testing.T) {
	dir := t.TempDir()
	var free atomic.Uint64
	const minFree = 1 << 20
	free.Store(minFree + 100) // room for the store's writes, not for a snapshot beside them
	s, err := Open(dir, Options{StartSnapshot: true, MinFree: minFree,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Households(t.Context(), System()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ledger.snap"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteStartFile("ledger.snap", make([]byte, 200)); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("a snapshot past the room kept: %v, want ErrDiskFull", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger.snap")); !os.IsNotExist(err) {
		t.Fatalf("the old snapshot should go when a new one has no room: %v", err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, startSnapFile)); !os.IsNotExist(err) {
		t.Fatalf("a snapshot was written into the room the store keeps: %v", err)
	}
	free.Store(1 << 40)
	if s, err = Open(dir, Options{StartSnapshot: true, MinFree: minFree,
		FreeSpace: func(string) (uint64, error) { return free.Load(), nil }}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, startSnapFile)); err != nil {
		t.Fatalf("with room, the snapshot should be written: %v", err)
	}
}
