package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// small builds a two-village township with one concern per grid.
func small() Dataset {
	d := Dataset{Township: Township{Name: "青石镇", Office: "党建办"}}
	for _, v := range []Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}} {
		d.Villages = append(d.Villages, v)
		for n := 1; n <= 2; n++ {
			g := Grid{Code: v.Code + "0" + string(rune('0'+n)), Village: v.Code, No: n, Name: string(rune('0'+n)) + "网格"}
			d.Grids = append(d.Grids, g)
			hh := Household{ID: g.Code + "-0001", Village: v.Code, Grid: g.Code, Address: "前街1号",
				Residents: []Resident{{ID: g.Code + "-0001-1", Name: "王建国", Relation: RelationHead}}}
			d.Households = append(d.Households, hh)
			d.Concerns = append(d.Concerns, Concern{ID: ConcernID(v.Code, uint64(n)), Village: v.Code, Grid: g.Code,
				Household: hh.ID, Category: "基础设施", Description: "屋顶漏雨", Tag: TagGreen, Tier: TierGrid, Status: StatusNew})
		}
	}
	return d
}

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	return s
}

// keyed gives u the keys of these authorized-key lines, parsed as the admin verbs parse them
// (normalised, with their fingerprints).
func keyed(t *testing.T, u User, lines ...string) User {
	t.Helper()
	for _, l := range lines {
		pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		u.Keys = append(u.Keys, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))))
		u.Fingerprints = append(u.Fingerprints, gossh.FingerprintSHA256(pk))
	}
	return u
}

func keyLine(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(gossh.MarshalAuthorizedKey(pk)) + " someone@laptop"
}

func TestScopeFiltersReads(t *testing.T) {
	s := openTest(t)
	cases := []struct {
		actor         Actor
		concerns, hhs int
		villages      int
	}{
		{System(), 4, 4, 2},
		{Actor{Name: "督查", Role: RoleInspector}, 4, 4, 2},
		{Actor{Name: "村", Role: RoleVillage, Village: "DL"}, 2, 2, 1},
		{Actor{Name: "格", Role: RoleGrid, Village: "XH", Grid: "XH02"}, 1, 1, 1},
	}
	for _, c := range cases {
		cs, err := s.Concerns(t.Context(), c.actor)
		if err != nil || len(cs) != c.concerns {
			t.Errorf("%s: %d concerns (%v), want %d", c.actor.Name, len(cs), err, c.concerns)
		}
		hs, _ := s.Households(t.Context(), c.actor)
		if len(hs) != c.hhs {
			t.Errorf("%s: %d households, want %d", c.actor.Name, len(hs), c.hhs)
		}
		vs, _ := s.Villages(t.Context(), c.actor)
		if len(vs) != c.villages {
			t.Errorf("%s: %d villages, want %d", c.actor.Name, len(vs), c.villages)
		}
	}
	grid := Actor{Name: "格", Role: RoleGrid, Village: "XH", Grid: "XH02"}
	if _, err := s.Concern(t.Context(), grid, "XH-0001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grid user read another grid's concern: %v", err)
	}
	if _, err := s.Household(t.Context(), grid, "DL", "DL01-0001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grid user read another village's household: %v", err)
	}
}

func TestSetTagAuditsAndPublishes(t *testing.T) {
	s := openTest(t)
	sub := s.Hub().Subscribe()
	defer sub.Close()
	clerk := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	c, err := s.SetTag(t.Context(), clerk, "DL-0001", TagRed)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tag != TagRed || c.Rev != 1 || c.Moves[0].From != "green" || c.Moves[0].To != "red" || c.Moves[0].By != "陈静" {
		t.Fatalf("concern after tag: %+v", c)
	}
	// The concern had no deadline: red gives it one, today (its limit from creation has
	// passed), in the same change.
	if d := c.DeadlineMoves(0); len(d) != 1 || d[0].To != s.Today() || c.Plan.Deadline != s.Today() {
		t.Fatalf("deadline after red: %+v", d)
	}
	stored, _ := s.Concern(t.Context(), System(), "DL-0001")
	if stored.Tag != TagRed {
		t.Fatal("tag not stored")
	}
	select {
	case <-sub.Ready():
		ch := sub.Take()
		if len(ch) != 1 || ch[0].Kind != "concern" || ch[0].ID != "DL-0001" {
			t.Fatalf("changes: %+v", ch)
		}
	case <-time.After(time.Second):
		t.Fatal("no change event")
	}
	ev, err := s.Audit(t.Context(), System(), 1)
	if err != nil || len(ev) != 1 || ev[0].Action != "concern.tag" || ev[0].Who != "陈静" ||
		!strings.Contains(string(ev[0].Before), `"green"`) || !strings.Contains(string(ev[0].After), `"red"`) {
		t.Fatalf("audit: %+v %v", ev, err)
	}
	// Out of scope, read-only, and unknown tags are refused and change nothing.
	if _, err := s.SetTag(t.Context(), clerk, "XH-0001", TagRed); !errors.Is(err, ErrNotFound) {
		t.Fatalf("village user tagged another village's concern: %v", err)
	}
	if _, err := s.SetTag(t.Context(), Actor{Name: "督查", Role: RoleInspector}, "XH-0001", TagRed); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector changed a concern: %v", err)
	}
	if _, err := s.SetTag(t.Context(), System(), "XH-0001", "purple"); err == nil {
		t.Fatal("unknown tag accepted")
	}
	if c, _ := s.Concern(t.Context(), System(), "XH-0001"); c.Tag != TagGreen {
		t.Fatal("refused change was stored")
	}
}

// TestConcurrentTagsLoseNothing: many sessions tagging the same concern at once; every change
// must land in the history (a lost update would drop a move).
func TestConcurrentTagsLoseNothing(t *testing.T) {
	s := openTest(t)
	const workers, each = 10, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				tag := Tags()[(w+i)%3]
				if _, err := s.SetTag(t.Context(), Actor{Name: "w", Role: RoleTownship}, "DL-0002", tag); err != nil {
					if errors.Is(err, ErrBusy) {
						continue
					}
					t.Error(err)
					return
				}
				mu.Lock()
				applied++
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	c, _ := s.Concern(t.Context(), System(), "DL-0002")
	// Each move records a real change from the tag before it; replaying them must end at the
	// stored tag, with no gap.
	tag := string(TagGreen)
	for _, m := range c.Moves {
		if m.Action != "tag" {
			continue
		}
		if m.From != tag {
			t.Fatalf("history broken: move from %s but tag was %s", m.From, tag)
		}
		tag = m.To
	}
	if tag != string(c.Tag) {
		t.Fatalf("history ends at %s, stored tag %s", tag, c.Tag)
	}
	if applied == 0 {
		t.Fatal("nothing applied")
	}
}

func TestUsers(t *testing.T) {
	s := openTest(t)
	k1 := keyLine(t)
	u, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "\x1b]0;pwned\x07\x1b[2J王五", Role: RoleGrid}, k1), "DL02")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "王五" || u.Village != "DL" || u.Grid != "DL02" || strings.Contains(u.Keys[0], "laptop") {
		t.Fatalf("user as stored: %+v", u)
	}
	fp := keyed(t, User{}, k1).Fingerprints[0]
	got, err := s.UserByKey(t.Context(), fp)
	if err != nil || got.Name != "王五" {
		t.Fatalf("by key: %+v %v", got, err)
	}
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "赵六", Role: RoleTownship}, k1), ""); !errors.Is(err, ErrExists) {
		t.Fatalf("same key registered twice: %v", err)
	}
	if _, err := s.AddUser(t.Context(), System(), keyed(t, User{Name: "王五", Role: RoleTownship}, keyLine(t)), ""); !errors.Is(err, ErrExists) {
		t.Fatalf("same name registered twice: %v", err)
	}
	for _, bad := range []struct {
		u     User
		scope string
	}{
		{keyed(t, User{Name: "a", Role: "mayor"}, keyLine(t)), ""},
		{keyed(t, User{Name: "b", Role: RoleVillage}, keyLine(t)), ""},
		{keyed(t, User{Name: "c", Role: RoleVillage}, keyLine(t)), "ZZ"},
		{keyed(t, User{Name: "d", Role: RoleGrid}, keyLine(t)), "DL09"},
		{User{Name: "e", Role: RoleTownship, Keys: []string{"ssh-ed25519 notakey"}, Fingerprints: []string{"notakey"}}, ""},
		{User{Name: "f", Role: RoleTownship, Keys: []string{keyLine(t)}}, ""}, // no fingerprint
		{keyed(t, User{Name: "", Role: RoleTownship}, keyLine(t)), ""},
	} {
		if _, err := s.AddUser(t.Context(), System(), bad.u, bad.scope); err == nil {
			t.Errorf("accepted %+v scope %q", bad.u, bad.scope)
		}
	}
	if _, err := s.AddUser(t.Context(), Actor{Name: "v", Role: RoleVillage, Village: "DL"}, keyed(t, User{Name: "x", Role: RoleTownship}, keyLine(t)), ""); !errors.Is(err, ErrScope) {
		t.Fatalf("village user added a user: %v", err)
	}
	if err := s.RemoveUser(t.Context(), System(), "王五"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByKey(t.Context(), fp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed user's key still works: %v", err)
	}
	if err := s.RemoveUser(t.Context(), System(), "王五"); err == nil {
		t.Fatal("removed a user twice")
	}
}

func TestSeedOnlyIntoEmptyStore(t *testing.T) {
	s := openTest(t)
	if err := s.Seed(t.Context(), System(), small()); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second seed: %v", err)
	}
}

func TestSecondOpenSaysWhoHoldsTheStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release, err := MarkHolder(dir, "sanbai serve --listen 127.0.0.1:2323")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	_, err = Open(dir, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "sanbai serve") || strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("second open: %v", err)
	}
}

func TestAuditSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTag(t.Context(), System(), "DL-0001", TagRed); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SetTag(t.Context(), System(), "DL-0001", TagYellow); err != nil {
		t.Fatal(err)
	}
	ev, _ := s.Audit(t.Context(), System(), 10)
	seen := map[uint64]bool{}
	for _, e := range ev {
		if seen[e.Seq] {
			t.Fatalf("audit sequence %d reused after reopen", e.Seq)
		}
		seen[e.Seq] = true
	}
	if ev[0].Action != "concern.tag" || !strings.Contains(string(ev[0].After), "yellow") {
		t.Fatalf("newest event: %+v", ev[0])
	}
}
