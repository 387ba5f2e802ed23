package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// dumpAll returns every key and value of a store.
func dumpAll(t *testing.T, s *Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if err := s.Dump(t.Context(), func(k, v []byte) error { out[string(k)] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// busy makes a few audited writes of different kinds.
func busy(t *testing.T, s *Store) {
	t.Helper()
	boss := Actor{Name: "李明", Role: RoleTownship}
	for _, tag := range []Tag{TagRed, TagYellow} {
		if _, err := s.SetTag(t.Context(), boss, "DL-0001", tag); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "陈静", Role: RoleVillage}, keyLine(t)), "DL"); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRestoreComparesEveryRecord backs a store up to a file, restores it into an empty
// data directory, plain and encrypted, and compares every key and value.
func TestBackupRestoreComparesEveryRecord(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprint("encrypted=", encrypted), func(t *testing.T) {
			var key []byte
			if encrypted {
				key, _ = DecodeKey(NewKey())
			}
			s, err := Open(t.TempDir(), Options{EncryptionKey: key})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Seed(t.Context(), System(), small()); err != nil {
				t.Fatal(err)
			}
			busy(t, s)
			file := filepath.Join(t.TempDir(), "sanbai.backup")
			info, err := s.BackupToFile(t.Context(), Actor{Name: "李明", Role: RoleTownship}, file)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(file)
			if encrypted == bytes.Contains(raw, []byte("王建国")) {
				t.Fatalf("encrypted=%v but the backup holds a resident's name in clear: %v", encrypted, !encrypted)
			}
			if info.Encrypted != encrypted || info.Bytes == 0 {
				t.Fatalf("info %+v", info)
			}
			want := dumpAll(t, s)
			if ev, _ := s.Audit(t.Context(), System(), 1); len(ev) == 0 || ev[0].Action != "export" || ev[0].Who != "李明" {
				t.Fatalf("backup not audited: %+v", ev)
			}

			dir := t.TempDir()
			if encrypted {
				if _, err := Restore(dir, file, RestoreOptions{}); !errors.Is(err, ErrBadKey) {
					t.Fatalf("restore of an encrypted backup without its key: %v", err)
				}
				other, _ := DecodeKey(NewKey())
				if _, err := Restore(dir, file, RestoreOptions{BackupKey: other}); !errors.Is(err, ErrBadBackup) {
					t.Fatalf("restore with the wrong key: %v", err)
				}
			}
			if _, err := Restore(dir, file, RestoreOptions{BackupKey: key, StoreKey: key, Who: "李明"}); err != nil {
				t.Fatal(err)
			}
			r, err := Open(dir, Options{EncryptionKey: key})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := dumpAll(t, r)
			for k, v := range want {
				if !bytes.Equal(got[k], v) {
					t.Fatalf("%s differs after restore:\n%s\n%s", k, v, got[k])
				}
			}
			extra := 0
			for k := range got {
				if _, ok := want[k]; !ok {
					extra++
					if !strings.HasPrefix(k, "audit/") || !strings.Contains(string(got[k]), "store.restore") {
						t.Fatalf("restore added %s: %s", k, got[k])
					}
				}
			}
			if extra != 1 {
				t.Fatalf("want exactly the restore's audit event added, got %d keys", extra)
			}
			t.Logf("%d records compared, backup body %d bytes", len(want), info.Bytes)
			// A restored store takes writes, with audit numbers after the restored ones.
			if _, err := r.SetTag(t.Context(), System(), "DL-0001", TagGreen); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRestoreRefusesBadBackups: a backup cut short, or with a flipped byte, is refused before
// anything is written; so is a data directory that already holds a store.
func TestRestoreRefusesBadBackups(t *testing.T) {
	s := openTest(t)
	file := filepath.Join(t.TempDir(), "b")
	if _, err := s.BackupToFile(t.Context(), System(), file); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	for name, bad := range map[string][]byte{
		"cut short":   raw[:len(raw)/2],
		"no trailer":  raw[:len(raw)-trailerLen],
		"flipped":     append(append([]byte{}, raw[:len(raw)/2]...), append([]byte{raw[len(raw)/2] ^ 1}, raw[len(raw)/2+1:]...)...),
		"not at all":  []byte("hello"),
		"empty":       nil,
		"header only": []byte(backupMagic + backupPlain),
	} {
		f := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(f, bad, 0o600)
		dir := t.TempDir()
		if _, err := Restore(dir, f, RestoreOptions{}); !errors.Is(err, ErrBadBackup) {
			t.Fatalf("%s: %v", name, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("%s: a failed restore left %v", name, ents)
		}
	}
	if _, err := Restore(s.Dir(), file, RestoreOptions{}); !errors.Is(err, ErrNotEmptyDir) {
		t.Fatalf("restore over a store: %v", err)
	}
}

// enospcWriter accepts n bytes, then fails as a full disk does.
type enospcWriter struct{ n int }

func (w *enospcWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, syscall.ENOSPC
	}
	w.n -= len(p)
	return len(p), nil
}

// TestDiskFull: a write refused for lack of space says so, changes nothing, and the next write
// after space is freed goes through; a backup that meets a full disk fails plainly.
func TestDiskFull(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 40)
	s, err := Open(t.TempDir(), Options{FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	before := dumpAll(t, s)
	free.Store(10 << 20)
	time.Sleep(spaceCheckEvery) // the free space is asked at most once a second
	_, err = s.SetTag(t.Context(), System(), "DL-0001", TagRed)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("write on a full disk: %v", err)
	}
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "x", Role: RoleTownship}, keyLine(t)), ""); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("user add on a full disk: %v", err)
	}
	after := dumpAll(t, s)
	if len(after) != len(before) {
		t.Fatalf("a refused write changed the store: %d keys, was %d", len(after), len(before))
	}
	free.Store(1 << 40)
	if _, err := s.SetTag(t.Context(), System(), "DL-0001", TagRed); err != nil {
		t.Fatalf("after space was freed: %v", err)
	}
	if _, err := s.Backup(t.Context(), System(), &enospcWriter{n: 1000}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("backup to a full disk: %v", err)
	}
	if !errors.Is(fileError(fmt.Errorf("write: %w", syscall.ENOSPC)), ErrDiskFull) {
		t.Fatal("ENOSPC not reported as a full disk")
	}
}

// TestEncryptionAtRest: an encrypted store's files hold no personal data in clear; it opens
// only with its key; a rotated key opens it and the old one no longer does.
func TestEncryptionAtRest(t *testing.T) {
	dir := t.TempDir()
	key, _ := DecodeKey(NewKey())
	s, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	d := small()
	d.Households[0].Residents[0].IDNumber = "330102199001011234"
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte("330102199001011234")) || bytes.Contains(b, []byte("王建国")) {
				t.Errorf("%s holds personal data in clear", p)
			}
		}
		return nil
	})
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("an encrypted store opened without its key")
	}
	wrong, _ := DecodeKey(NewKey())
	if _, err := Open(dir, Options{EncryptionKey: wrong}); !errors.Is(err, ErrBadKey) {
		t.Fatalf("wrong key: %v", err)
	}
	newKey, _ := DecodeKey(NewKey())
	if err := RotateKey(dir, key, newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{EncryptionKey: key}); !errors.Is(err, ErrBadKey) {
		t.Fatalf("old key after rotation: %v", err)
	}
	s, err = Open(dir, Options{EncryptionKey: newKey})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, err := s.Concern(t.Context(), System(), "DL-0001"); err != nil || c.ID != "DL-0001" {
		t.Fatalf("after rotation: %v %v", c, err)
	}
}

// TestKeySources: hex and base64 keys, the env variable, and a key file readable by others.
func TestKeySources(t *testing.T) {
	for _, bad := range []string{"", "zz", "00", strings.Repeat("ab", 20)} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("%q accepted as a key", bad)
		}
	}
	f := filepath.Join(t.TempDir(), "key")
	if err := WriteKeyFile(f); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(f); err == nil {
		t.Fatal("a key file was overwritten")
	}
	k, err := LoadKey(f)
	if err != nil || len(k) != 32 {
		t.Fatalf("%v %v", k, err)
	}
	os.Chmod(f, 0o644)
	if _, err := LoadKey(f); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	t.Setenv(KeyFileEnv, "")
	t.Setenv(KeyEnv, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if k, err := LoadKey(""); err != nil || len(k) != 32 {
		t.Fatalf("base64 key from the environment: %v %v", k, err)
	}
}

// TestRevealIsAuditedAndScoped: masks, reveals by role and scope, one audit event per reveal
// that never holds the value.
func TestRevealIsAuditedAndScoped(t *testing.T) {
	for in, want := range map[string]string{"330102199001011234": "330***********1234", "13812345678": "138****5678", "123": "***", "": ""} {
		if got := MaskID(in); got != want {
			t.Errorf("mask %q: %q, want %q", in, got, want)
		}
	}
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := small()
	d.Households[0].Residents[0].Phone = "13812345678"
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	h := d.Households[0]
	r := h.Residents[0].ID
	grid := Actor{Name: "网格员", Role: RoleGrid, Village: h.Village, Grid: h.Grid}
	got, err := s.Reveal(t.Context(), grid, h.Village, h.ID, r, FieldPhone)
	if err != nil || got != "13812345678" {
		t.Fatalf("reveal: %q %v", got, err)
	}
	ev, _ := s.Audit(t.Context(), System(), 1)
	if len(ev) != 1 || ev[0].Action != "personal.reveal" || ev[0].Who != "网格员" || bytes.Contains(ev[0].After, []byte("13812345678")) {
		t.Fatalf("reveal audit: %+v", ev)
	}
	other := Actor{Name: "x", Role: RoleGrid, Village: h.Village, Grid: "DL02"}
	if _, err := s.Reveal(t.Context(), other, h.Village, h.ID, r, FieldPhone); !errors.Is(err, ErrNotFound) {
		t.Fatalf("out of scope reveal: %v", err)
	}
	if _, err := s.Reveal(t.Context(), Actor{Name: "督查", Role: RoleInspector}, h.Village, h.ID, r, FieldIDNumber); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector reveal: %v", err)
	}
}

// TestConcurrentTriageKeepsEveryMove: 20 sessions triage the same three concerns at once, each
// against the Rev it last saw, as the queue pane does. A lost update would show as a Rev that
// does not match the history, or as a user whose successful actions are not all in it.
func TestConcurrentTriageKeepsEveryMove(t *testing.T) {
	s := openTest(t)
	ids := []string{"DL-0001", "DL-0002", "XH-0001"}
	const sessions, each = 20, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := map[string]int{} // user → successful actions that changed something
	stale, busyN := 0, 0
	for w := 0; w < sessions; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			a := Actor{Name: fmt.Sprintf("u%02d", w), Role: RoleTownship}
			for i := 0; i < each; i++ {
				id := ids[(w+i)%len(ids)]
				c, err := s.Concern(t.Context(), a, id)
				if err != nil {
					t.Error(err)
					return
				}
				op := Op{Kind: OpTag, Tag: Tags()[(int(c.Tag[0])+w+i)%3]}
				if op.Tag == c.Tag {
					op = Op{Kind: OpSolution, Text: fmt.Sprintf("方案 %s %d", a.Name, i)}
				}
				got, err := s.Triage(t.Context(), a, id, c.Rev, op)
				var se *StaleError
				mu.Lock()
				switch {
				case errors.As(err, &se):
					stale++
				case errors.Is(err, ErrBusy):
					busyN++
				case err != nil:
					t.Error(err)
				case got.Rev != c.Rev+1:
					t.Errorf("%s: rev %d after an edit against %d", id, got.Rev, c.Rev)
				default:
					done[a.Name]++
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	moves := map[string]int{}
	for _, id := range ids {
		c, _ := s.Concern(t.Context(), System(), id)
		// Every change is one Rev, its moves (a tag and the deadline it brought forward)
		// stamped with it.
		changes := map[int]string{}
		for _, m := range c.Moves {
			if by, ok := changes[m.Rev]; ok && by != m.By {
				t.Fatalf("%s: rev %d holds moves by %s and %s", id, m.Rev, by, m.By)
			}
			changes[m.Rev] = m.By
		}
		if c.Rev != len(changes) {
			t.Fatalf("%s: rev %d but %d changes: an update was lost", id, c.Rev, len(changes))
		}
		for _, by := range changes {
			moves[by]++
		}
		n := 0
		ev, _ := s.Audit(t.Context(), System(), 100000)
		for _, e := range ev {
			if e.Key == concernKey(c.Village, c.ID) {
				n++
			}
		}
		if n != c.Rev {
			t.Fatalf("%s: %d changes but %d audit events", id, c.Rev, n)
		}
	}
	total := 0
	for u, n := range done {
		if moves[u] != n {
			t.Fatalf("%s: %d acknowledged actions, %d in the history", u, n, moves[u])
		}
		total += n
	}
	t.Logf("%d sessions: %d actions applied, %d refused as stale (reported to the user), %d busy", sessions, total, stale, busyN)
	if total == 0 || stale == 0 {
		t.Fatalf("the test did not exercise conflicts: %d applied, %d stale", total, stale)
	}
}
