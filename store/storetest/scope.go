package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"sanbai/store"
)

// The scope test. Every method of the contract has a case here, found by name: a method added
// to store.Engine later without one fails the test. A read is called as each of the four roles
// and what it returns must hold no marker of a place the role may not see, every marker of the
// places it may (where the read returns rows of that kind), and no full ID number or phone. A
// write is tried by each role on each place and must go through exactly where the role may
// make that change, and be refused (out of scope, not found, or read-only) everywhere else.

// reader calls a read as actor a and returns what it gave.
type reader func(e store.Engine, f *fixture, a store.Actor) (any, error)

// readCase is a read of the contract.
type readCase struct {
	read reader
	// marks is the kind of marker the read's rows carry, for the presence check: "grid",
	// "village", or "" for reads whose rows carry none (or not one per place).
	marks string
	// check, if set, checks what a role got in more detail.
	check func(t *testing.T, f *fixture, a store.Actor, got any)
}

// placeRead is a read of one row of one place: visible exactly where the actor may see it
// (the grid's place, or the village's for village-level rows), ErrNotFound elsewhere.
type placeRead struct {
	read    func(e store.Engine, f *fixture, a store.Actor, p place) (any, error)
	village bool // the row is the village's, not the grid's
}

// writer makes one change as actor a to place p; it may set things up first as the system.
type writer func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error

// writeCase is a write of the contract.
type writeCase struct {
	write writer
	// may says whether a may make the change at p.
	may func(a store.Actor, p place) bool
}

// exempt names the methods that read or write no campaign data, and why.
var exempt = map[string]string{
	"Now":           "the engine's clock",
	"Today":         "the engine's clock",
	"Hub":           "the change feed: changes name kinds, villages and IDs, never row contents",
	"Close":         "closes the engine",
	"Township":      "the township's name and office: the campaign's own, the same for every role",
	"Empty":         "whether the store holds a township",
	"Limits":        "the township's time limits per colour: the campaign's own",
	"Calendar":      "the campaign calendar: the campaign's own, every role reads it",
	"ScoreWeights":  "the assessment weights: the campaign's own",
	"UserByKey":     "login: finds who a key belongs to before there is an actor",
	"CampaignStart": "the first planned day of the actor's routes: a date",
}

// may helpers.
func canChange(a store.Actor, p place) bool { return a.CanChange(p.village, p.grid) == nil }
func canChangeVillage(a store.Actor, p place) bool {
	return a.CanChange(p.village, "") == nil && a.Role != store.RoleGrid
}
func townshipOnly(a store.Actor, _ place) bool { return a.Role == store.RoleTownship }
func notInspector(a store.Actor, _ place) bool { return a.Role != store.RoleInspector }

// testScope runs the scope test on a fresh engine per write (writes change the fixture) and
// one shared engine for the reads.
func testScope(t *testing.T, h Harness) {
	reads, placeReads, writes := scopeCases()
	// Every method of the contract has exactly one case, and every case names a method.
	engine := reflect.TypeFor[store.Engine]()
	have := map[string]bool{}
	for i := range engine.NumMethod() {
		name := engine.Method(i).Name
		have[name] = true
		n := 0
		if _, ok := reads[name]; ok {
			n++
		}
		if _, ok := placeReads[name]; ok {
			n++
		}
		if _, ok := writes[name]; ok {
			n++
		}
		if _, ok := exempt[name]; ok {
			n++
		}
		if n != 1 {
			t.Errorf("store.Engine.%s has %d scope cases, want 1: add it to the scope test (storetest/scope.go)", name, n)
		}
	}
	for _, m := range []map[string]bool{keys(reads), keys(placeReads), keys(writes), keys(exempt)} {
		for name := range m {
			if !have[name] {
				t.Errorf("scope case %s names no method of store.Engine", name)
			}
		}
	}
	if t.Failed() {
		return
	}

	e := h.Open(t, clockAt(day))
	f := seed(t, e)
	for _, name := range sorted(reads) {
		c := reads[name]
		t.Run(name, func(t *testing.T) {
			for _, a := range roles {
				got, err := c.read(e, f, a)
				if err != nil {
					if expectRefusal(name, a) && refusal(err) {
						continue
					}
					t.Errorf("%s as %s: %v", name, a.Name, err)
					continue
				}
				if expectRefusal(name, a) {
					t.Errorf("%s as %s: read, want a refusal", name, a.Name)
				}
				checkSeen(t, f, name, a, got, c.marks)
				if c.check != nil {
					c.check(t, f, a, got)
				}
			}
		})
	}
	for _, name := range sorted(placeReads) {
		c := placeReads[name]
		t.Run(name, func(t *testing.T) {
			for _, a := range roles {
				for _, p := range places {
					see := a.CanSee(p.village, p.grid)
					if c.village {
						see = a.CanSee(p.village, "")
					}
					got, err := c.read(e, f, a, p)
					switch {
					case see && err != nil:
						t.Errorf("%s of %s as %s: %v", name, p.grid, a.Name, err)
					case !see && !errors.Is(err, store.ErrNotFound):
						t.Errorf("%s of %s as %s: %v, want ErrNotFound", name, p.grid, a.Name, err)
					case see:
						checkSeen(t, f, name, a, got, "")
					}
				}
			}
		})
	}
	for _, name := range sorted(writes) {
		c := writes[name]
		t.Run(name, func(t *testing.T) {
			e := h.Open(t, clockAt(day))
			f := seed(t, e)
			for _, a := range roles {
				for _, p := range places {
					err := c.write(t, e, f, a, p)
					switch may := c.may(a, p); {
					case may && err != nil:
						t.Errorf("%s at %s as %s: %v", name, p.grid, a.Name, err)
					case !may && err == nil:
						t.Errorf("%s at %s as %s: done, want a refusal", name, p.grid, a.Name)
					case !may && !refusal(err):
						t.Errorf("%s at %s as %s: %v, want a refusal by scope", name, p.grid, a.Name, err)
					}
				}
			}
		})
	}
}

// expectRefusal says which roles a read refuses outright.
func expectRefusal(name string, a store.Actor) bool {
	switch name {
	case "Users":
		return a.Role != store.RoleTownship && a.Role != store.RoleInspector
	case "Draft", "Drafts":
		return a.Role == store.RoleInspector
	}
	return false
}

// refusal reports whether err refuses by role or scope: out of scope, not found (a row out of
// scope is not there for the actor), or the form's "no such household".
func refusal(err error) bool {
	if errors.Is(err, store.ErrScope) || errors.Is(err, store.ErrNotFound) {
		return true
	}
	fe, ok := store.IsFormError(err)
	return ok && fe.Code == "household.unknown"
}

// checkSeen checks what a read gave an actor: no marker of a place out of their scope, every
// marker of their places where the read carries that kind, and no full personal number.
func checkSeen(t *testing.T, f *fixture, name string, a store.Actor, got any, marks string) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	s := string(b)
	for _, v := range villageCodes {
		see := a.CanSee(v, "")
		if !see && strings.Contains(s, villageMark(v)) {
			t.Errorf("%s as %s: holds %s, outside their scope", name, a.Name, villageMark(v))
		}
		if see && marks == "village" && !strings.Contains(s, villageMark(v)) {
			t.Errorf("%s as %s: lacks %s, in their scope", name, a.Name, villageMark(v))
		}
	}
	for _, p := range places {
		see := a.CanSee(p.village, p.grid)
		if !see && strings.Contains(s, gridMark(p.grid)) {
			t.Errorf("%s as %s: holds %s, outside their scope", name, a.Name, gridMark(p.grid))
		}
		if see && marks == "grid" && !strings.Contains(s, gridMark(p.grid)) {
			t.Errorf("%s as %s: lacks %s, in their scope", name, a.Name, gridMark(p.grid))
		}
	}
	for _, n := range f.full {
		if strings.Contains(s, n) {
			t.Errorf("%s as %s: holds the full number %s", name, a.Name, n)
		}
	}
}

// scopeCases returns the cases, by method name.
func scopeCases() (map[string]readCase, map[string]placeRead, map[string]writeCase) {
	sys := store.System()
	reads := map[string]readCase{
		"Villages": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Villages(context.Background(), a)
		}, marks: "village"},
		"Grids": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Grids(context.Background(), a) }, marks: "village"},
		"Households": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Households(context.Background(), a)
		}, marks: "grid",
			check: func(t *testing.T, f *fixture, a store.Actor, got any) {
				// Masked, not dropped: each resident's phone is there with its last digits.
				for _, h := range got.([]store.Household) {
					for _, r := range h.Residents {
						if r.Phone != store.MaskPhone(f.phoneOf[r.ID]) || r.Phone == "" {
							t.Errorf("Households as %s: %s's phone %q", a.Name, r.ID, r.Phone)
						}
					}
				}
			}},
		"HouseholdRefs": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.HouseholdRefs(context.Background(), a)
		}, marks: "grid",
			check: func(t *testing.T, f *fixture, a store.Actor, got any) {
				// Masked as Households are: they are the same cached rows, not copied.
				for _, h := range got.([]*store.Household) {
					for _, r := range h.Residents {
						if r.Phone != store.MaskPhone(f.phoneOf[r.ID]) || r.Phone == "" {
							t.Errorf("HouseholdRefs as %s: %s's phone %q", a.Name, r.ID, r.Phone)
						}
					}
				}
			}},
		"Members": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Members(context.Background(), a)
		}, marks: "village",
			check: func(t *testing.T, f *fixture, a store.Actor, got any) {
				// A grid user sees the members living in their grid and those of the groups
				// visiting it; the others, every member of their villages.
				want := map[string]bool{}
				for id, g := range f.livesIn {
					if a.CanSee(store.GridVillage(g), "") && (a.Role != store.RoleGrid || g == a.Grid) {
						want[id] = true
					}
				}
				if a.Role == store.RoleGrid {
					for _, id := range []string{"DL-M004", "DL-M002", "DL-M005"} { // the group visiting DL01
						want[id] = true
					}
				}
				ids(t, "Members", a, got.([]store.Member), func(m store.Member) string { return m.ID }, want)
			}},
		"Cadres": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Cadres(context.Background(), a) }, marks: "village",
			check: func(t *testing.T, _ *fixture, a store.Actor, got any) {
				for _, c := range got.([]store.Cadre) {
					if !a.CanSee(c.Village, c.Grid) {
						t.Errorf("Cadres as %s: %s of %s %s", a.Name, c.ID, c.Village, c.Grid)
					}
				}
			}},
		"Officials": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Officials(context.Background(), a)
		}},
		"Teams": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Teams(context.Background(), a) },
			check: func(t *testing.T, _ *fixture, a store.Actor, got any) {
				for _, tm := range got.([]store.Team) {
					if !a.CanSee(tm.Village, "") {
						t.Errorf("Teams as %s: %s", a.Name, tm.Village)
					}
				}
			}},
		"Audit": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			// The rows an event quotes are JSON in bytes: read them as text, as a person would.
			evs, err := e.Audit(context.Background(), a, 10000)
			type quoted struct{ Key, Action, Before, After string }
			out := make([]quoted, len(evs))
			for i, ev := range evs {
				out[i] = quoted{ev.Key, ev.Action, string(ev.Before), string(ev.After)}
			}
			return out, err
		}, marks: "grid"},
		"Groups": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Groups(context.Background(), a) }, marks: "grid"},
		"Routes": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Routes(context.Background(), a) },
			check: func(t *testing.T, f *fixture, a store.Actor, got any) {
				want := map[string]bool{}
				for _, p := range places {
					if a.CanSee(p.village, p.grid) {
						want[f.groupOf[p.grid]] = true
					}
				}
				ids(t, "Routes", a, got.([]store.Route), func(r store.Route) string { return r.Group }, want)
			}},
		"Reaches": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Reaches(context.Background(), a)
		}, marks: "grid"},
		"Visits": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Visits(context.Background(), a) }, marks: "grid"},
		"Concerns": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Concerns(context.Background(), a)
		}, marks: "grid"},
		"ConcernChunks": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			// The chunks, put back in order: the same concerns as Concerns, in the same scope.
			var mu sync.Mutex
			var chunks [][]store.Concern
			err := e.ConcernChunks(context.Background(), a, func(seq int, cs []store.Concern) {
				mu.Lock()
				defer mu.Unlock()
				for len(chunks) <= seq {
					chunks = append(chunks, nil)
				}
				chunks[seq] = cs
			})
			var out []store.Concern
			for _, cs := range chunks {
				out = append(out, cs...)
			}
			return out, err
		}, marks: "grid"},
		"Projects": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Projects(context.Background(), a)
		}, marks: "village"},
		"Revisits": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Revisits(context.Background(), a)
		}, marks: "grid"},
		"RevisitDeadlines": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.RevisitDeadlines(context.Background(), a)
		},
			check: func(t *testing.T, _ *fixture, a store.Actor, got any) {
				for v := range got.(map[string]string) {
					if !a.CanSee(v, "") {
						t.Errorf("RevisitDeadlines as %s: %s", a.Name, v)
					}
				}
			}},
		"FilingsOf": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.FilingsOf(context.Background(), a)
		},
			check: func(t *testing.T, _ *fixture, a store.Actor, got any) {
				for _, fl := range got.([]store.Filing) {
					if !a.CanSee(fl.Village, "") {
						t.Errorf("FilingsOf as %s: %s", a.Name, fl.Village)
					}
				}
			}},
		"Inspections": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Inspections(context.Background(), a)
		}, marks: "village"},
		"Meetings": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Meetings(context.Background(), a)
		}, marks: "grid"},
		"FactSheets": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.FactSheets(context.Background(), a)
		}, marks: "village"},
		"Users": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) { return e.Users(context.Background(), a) }},
		"Draft": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			d, err := e.Draft(context.Background(), a, store.DraftVisit, "s1")
			if errors.Is(err, store.ErrNotFound) && a.Role == store.RoleTownship {
				return d, nil // the township user keeps no draft in the fixture
			}
			return d, err
		}},
		"Drafts": {read: func(e store.Engine, _ *fixture, a store.Actor) (any, error) {
			return e.Drafts(context.Background(), a, store.DraftVisit)
		},
			check: func(t *testing.T, _ *fixture, a store.Actor, got any) {
				// Only their own: the village user and the grid user keep one each.
				want := 0
				if a.Role == store.RoleVillage || a.Role == store.RoleGrid {
					want = 1
				}
				if n := len(got.([]store.Draft)); n != want {
					t.Errorf("Drafts as %s: %d, want %d", a.Name, n, want)
				}
			}},
	}
	placeReads := map[string]placeRead{
		"Household": {read: func(e store.Engine, f *fixture, a store.Actor, p place) (any, error) {
			return e.Household(context.Background(), a, p.village, f.households[p.grid][0])
		}},
		"HouseholdCard": {read: func(e store.Engine, f *fixture, a store.Actor, p place) (any, error) {
			return e.HouseholdCard(context.Background(), a, p.village, f.households[p.grid][0])
		}},
		"Concern": {read: func(e store.Engine, f *fixture, a store.Actor, p place) (any, error) {
			return e.Concern(context.Background(), a, f.openConcern[p.grid])
		}},
		"VisitVersions": {read: func(e store.Engine, f *fixture, a store.Actor, p place) (any, error) {
			vs, err := e.VisitVersions(context.Background(), a, p.village, f.visit[p.grid])
			if err == nil && len(vs) == 0 {
				err = errors.New("no versions")
			}
			return vs, err
		}},
		"Owners": {read: func(e store.Engine, f *fixture, a store.Actor, p place) (any, error) {
			return e.Owners(context.Background(), a, f.openConcern[p.grid])
		}},
		"OwnersAt": {read: func(e store.Engine, _ *fixture, a store.Actor, p place) (any, error) {
			return e.OwnersAt(context.Background(), a, p.village, p.grid, store.TierGrid)
		}},
		"FiledData": {village: true, read: func(e store.Engine, _ *fixture, a store.Actor, p place) (any, error) {
			b, fl, err := e.FiledData(context.Background(), a, p.village, "summary", 1)
			return []any{string(b), fl}, err
		}},
		"FactSheet": {village: true, read: func(e store.Engine, _ *fixture, a store.Actor, p place) (any, error) {
			return e.FactSheet(context.Background(), a, p.village)
		}},
		"Facts": {village: true, read: func(e store.Engine, _ *fixture, a store.Actor, p place) (any, error) {
			return e.Facts(context.Background(), a, p.village)
		}},
	}
	n := 0
	next := func() int { n++; return n }
	writes := map[string]writeCase{
		"Reveal": {may: func(a store.Actor, p place) bool { return a.CanReveal() && a.CanSee(p.village, p.grid) },
			write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
				res := f.households[p.grid][0] + "-1"
				v, err := e.Reveal(t.Context(), a, p.village, f.households[p.grid][0], res, store.FieldPhone)
				if err == nil && v != f.phoneOf[res] {
					t.Errorf("Reveal as %s: %q, want %q", a.Name, v, f.phoneOf[res])
				}
				return err
			}},
		"PersonalData": {may: func(a store.Actor, p place) bool { return a.CanExportPersonal() && a.CanSee(p.village, "") },
			write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
				pd, err := e.PersonalData(t.Context(), a, "test.xlsx", p.village)
				for id := range pd.Residents {
					if !strings.HasPrefix(id, p.village) || !a.CanSee(p.village, id[:len(p.village)+2]) {
						t.Errorf("PersonalData of %s as %s: resident %s", p.village, a.Name, id)
					}
				}
				if err == nil && pd.Residents[f.households[p.grid][0]+"-1"].Phone != f.phoneOf[f.households[p.grid][0]+"-1"] {
					t.Errorf("PersonalData of %s as %s: lacks %s", p.village, a.Name, f.households[p.grid][0])
				}
				return err
			}},
		"AuditExport": {may: func(a store.Actor, p place) bool { return a.CanSee(p.village, "") },
			write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
				return e.AuditExport(context.Background(), a, "test.xlsx", p.village)
			}},
		"SaveGroup": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			g := groupVisiting(t, e, p)
			g.Name = fmt.Sprintf("改名%d", next())
			_, _, err := e.SaveGroup(t.Context(), a, g)
			return err
		}},
		"DissolveGroup": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			all, err := e.Groups(t.Context(), sys)
			if err != nil {
				t.Fatal(err)
			}
			g := groupVisiting(t, e, p)
			err = e.DissolveGroup(t.Context(), a, p.village, g.ID)
			if err == nil { // put the village's groups back for the next try
				mine := slices.DeleteFunc(all, func(x store.Group) bool { return x.Village != p.village })
				if _, err := e.ReplaceGroups(t.Context(), sys, p.village, mine); err != nil {
					t.Fatal(err)
				}
			}
			return err
		}},
		"SaveRoute": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			g := groupVisiting(t, e, p)
			rs, err := e.Routes(t.Context(), sys)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Group == g.ID {
					slices.Reverse(r.Households)
					return e.SaveRoute(t.Context(), a, r)
				}
			}
			t.Fatalf("no route of %s", g.ID)
			return nil
		}},
		"ReplaceGroups": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			all, err := e.Groups(t.Context(), sys)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.ReplaceGroups(t.Context(), a, p.village, slices.DeleteFunc(all, func(x store.Group) bool { return x.Village != p.village }))
			return err
		}},
		"SetTeamCaptain": {may: canChangeVillage, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			_, err := e.SetTeamCaptain(context.Background(), a, p.village, p.village+"-C01")
			return err
		}},
		"AddTeamOfficer": {may: canChangeVillage, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			// Off the team first (refused when not on it), so that each try adds.
			_, _ = e.RemoveTeamOfficer(context.Background(), sys, p.village, p.village+"-C04")
			_, err := e.AddTeamOfficer(context.Background(), a, p.village, p.village+"-C04")
			return err
		}},
		"RemoveTeamOfficer": {may: canChangeVillage, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			_, _ = e.AddTeamOfficer(context.Background(), sys, p.village, p.village+"-C05")
			_, err := e.RemoveTeamOfficer(context.Background(), a, p.village, p.village+"-C05")
			return err
		}},
		"RecordReach": {may: canChange, write: func(_ *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			hid := f.households[p.grid][2]
			_, err := e.RecordReach(context.Background(), a, p.village, hid, hid+"-2", "电话", "")
			return err
		}},
		"SaveVisit": {may: canChange, write: func(_ *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			hid := f.households[p.grid][2]
			_, _, err := e.SaveVisit(context.Background(), a, store.VisitDraft{Village: p.village, Household: hid, Date: today, Present: []string{hid + "-1"}})
			return err
		}},
		"SetLimits": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			return e.SetLimits(context.Background(), a, store.Limits{Red: 2 + next()%2, Yellow: 7, Green: 15})
		}},
		"Triage": {may: canChange, write: func(_ *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			_, err := e.Triage(context.Background(), a, f.openConcern[p.grid], -1, store.Op{Kind: store.OpSolution, Text: fmt.Sprintf("方案%d", next())})
			return err
		}},
		"SetTag": {may: canChange, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			c, err := e.Concern(t.Context(), sys, f.openConcern[p.grid])
			if err != nil {
				t.Fatal(err)
			}
			tag := store.TagYellow
			if c.Tag == tag {
				tag = store.TagGreen
			}
			_, err = e.SetTag(t.Context(), a, c.ID, tag)
			return err
		}},
		"CreateProject": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			_, err := e.CreateProject(t.Context(), a, "新头雁", freshConcerns(t, e, f, p, false))
			return err
		}},
		"ResolveProject": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			pr, err := e.CreateProject(t.Context(), sys, "待办头雁", freshConcerns(t, e, f, p, false))
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.ResolveProject(t.Context(), a, pr.ID, "已统一修好")
			return err
		}},
		"SaveRevisits": {may: canChange, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			id := freshConcerns(t, e, f, p, true)[0]
			_, err := e.SaveRevisits(t.Context(), a, store.RevisitDraft{Village: p.village, Household: f.households[p.grid][2], Date: today,
				Answers: []store.RevisitAnswer{{Concern: id, Solved: store.SolvedYes, Satisfaction: store.SatGood}}})
			return err
		}},
		"AssignRevisit": {may: canChange, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			c, err := e.Concern(t.Context(), sys, f.doneConcern[p.grid])
			if err != nil {
				t.Fatal(err)
			}
			to := p.village + "-G1"
			if c.RevisitGroupOf() == to {
				to = p.village + "-G2"
			}
			_, err = e.AssignRevisit(t.Context(), a, c.ID, to)
			return err
		}},
		"SetRevisitDeadline": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			return e.SetRevisitDeadline(context.Background(), a, p.village, fmt.Sprintf("2026-12-%02d", 10+next()%10))
		}},
		"SetVillageLeader": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			return e.SetVillageLeader(context.Background(), a, p.village, []string{"刘镇长", "周书记"}[next()%2])
		}},
		"SetPhaseDeadline": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			return e.SetPhaseDeadline(context.Background(), a, p.village, "visits.done", fmt.Sprintf("2026-12-%02d", 10+next()%10))
		}},
		"FileReport": {may: canChangeVillage, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			_, err := e.FileReport(context.Background(), a, p.village, "groups", "xlsx", []byte("名单"))
			return err
		}},
		"RecordFinding": {may: func(a store.Actor, _ place) bool {
			return a.Role == store.RoleTownship || a.Role == store.RoleInspector
		},
			write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
				_, err := e.RecordFinding(context.Background(), a, store.Inspection{Village: p.village, Checked: "台账", Problems: "漏登"})
				return err
			}},
		"AnswerFinding": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			fd, err := e.RecordFinding(t.Context(), sys, store.Inspection{Village: p.village, Checked: "台账", Problems: "漏登"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.AnswerFinding(t.Context(), a, p.village, fd.ID, "已补登")
			return err
		}},
		"SetScoreWeights": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			return e.SetScoreWeights(context.Background(), a, store.Weights{"coverage": float64(1 + next()%3)})
		}},
		"RecordMeeting": {may: canChange, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			_, err := e.RecordMeeting(context.Background(), a, store.Meeting{Level: "grid", Village: p.village, Grid: p.grid, Date: today, Led: "组长"})
			return err
		}},
		"SetFactSheet": {may: canChangeVillage, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			_, err := e.SetFactSheet(context.Background(), a, store.FactSheet{Village: p.village, Profile: fmt.Sprintf("村情%d", next())})
			return err
		}},
		"EditFactSheet": {may: canChangeVillage, write: func(t *testing.T, e store.Engine, _ *fixture, a store.Actor, p place) error {
			cur, err := e.FactSheet(t.Context(), sys, p.village)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.EditFactSheet(t.Context(), a, store.FactSheet{Village: p.village, Profile: fmt.Sprintf("村情%d", next())}, cur.UpdatedAt, "")
			return err
		}},
		"SaveDraft": {may: func(a store.Actor, p place) bool { return notInspector(a, p) && a.CanSee(p.village, "") },
			write: func(_ *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
				return e.SaveDraft(context.Background(), a, store.DraftVisit, "s2", store.VisitDraft{Village: p.village, Household: f.households[p.grid][0], Date: today})
			}},
		"DiscardDraft": {may: notInspector, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			return e.DiscardDraft(context.Background(), a, store.DraftVisit, "s1")
		}},
		"AddUser": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			_, err := e.AddUser(context.Background(), a, newUser(next()), "")
			return err
		}},
		"RemoveUser": {may: townshipOnly, write: func(t *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			u, err := e.AddUser(t.Context(), sys, newUser(next()), "")
			if err != nil {
				t.Fatal(err)
			}
			return e.RemoveUser(t.Context(), a, u.Name)
		}},
		"SetLang": {may: func(store.Actor, place) bool { return true }, // one's own setting
			write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
				return e.SetLang(context.Background(), a, []string{"en", "zh"}[next()%2])
			}},
		"SetLean": {may: func(store.Actor, place) bool { return true }, // one's own setting
			write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
				return e.SetLean(context.Background(), a, next()%2 == 0)
			}},
		"ImportRoster": {may: func(a store.Actor, p place) bool {
			return a.Role == store.RoleTownship || (a.Role == store.RoleVillage && a.Village == p.village)
		}, write: func(t *testing.T, e store.Engine, f *fixture, a store.Actor, p place) error {
			hhs, err := e.Households(t.Context(), sys)
			if err != nil {
				t.Fatal(err)
			}
			r := store.Roster{Source: "test.xlsx", Fields: store.RosterFields{Address: true}}
			for _, h := range hhs {
				if h.Grid != p.grid {
					continue
				}
				h.Address = fmt.Sprintf("%s新门牌%d", gridMark(p.grid), next())
				h.Residents = slices.Clone(h.Residents)
				for i := range h.Residents { // matched by name; numbers left as stored
					h.Residents[i].ID, h.Residents[i].IDNumber, h.Residents[i].Phone = "", "", ""
				}
				r.Households = append(r.Households, h)
			}
			_, err = e.ImportRoster(t.Context(), a, r, store.ImportOptions{})
			return err
		}},
		"Seed": {may: func(store.Actor, place) bool { return false }, // the store is not empty
			write: func(t *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
				err := e.Seed(t.Context(), a, store.Dataset{})
				if a.Role == store.RoleTownship && !errors.Is(err, store.ErrNotEmpty) {
					t.Errorf("Seed into a full store as %s: %v", a.Name, err)
					return err
				}
				if a.Role == store.RoleTownship {
					return store.ErrScope // refused, rightly: not empty
				}
				return err
			}},
		"NewBulkLoader": {may: func(store.Actor, place) bool { return false },
			write: func(t *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
				b, err := e.NewBulkLoader(t.Context(), a)
				if err == nil {
					b.Cancel()
				}
				if a.Role == store.RoleTownship && errors.Is(err, store.ErrNotEmpty) {
					return store.ErrScope
				}
				return err
			}},
		"Backup": {may: townshipOnly, write: func(_ *testing.T, e store.Engine, _ *fixture, a store.Actor, _ place) error {
			_, err := e.Backup(context.Background(), a, io.Discard)
			return err
		}},
	}
	return reads, placeReads, writes
}

// groupVisiting returns the group that visits p's grid, as stored now.
func groupVisiting(t *testing.T, e store.Engine, p place) store.Group {
	t.Helper()
	gs, err := e.Groups(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if slices.Contains(g.Grids, p.grid) {
			return g
		}
	}
	t.Fatalf("no group visits %s", p.grid)
	return store.Group{}
}

// freshConcerns records a visit to p's third household, as the system, with two new concerns:
// passed on to the grid, or solved on site; and returns their IDs.
func freshConcerns(t *testing.T, e store.Engine, f *fixture, p place, onSite bool) []string {
	t.Helper()
	hid := f.households[p.grid][2]
	c := store.DraftConcern{Description: "新诉求", Category: "道路", Tag: store.TagGreen, OnSite: onSite}
	if onSite {
		c.Done = "当场解答"
	}
	_, cs, err := e.SaveVisit(t.Context(), store.System(), store.VisitDraft{Village: p.village, Household: hid, Date: today,
		Present: []string{hid + "-1"}, Concerns: []store.DraftConcern{c, c}})
	if err != nil {
		t.Fatal(err)
	}
	return []string{cs[0].ID, cs[1].ID}
}

// newUser is a user with a key of its own (the store keeps fingerprints, parses no keys).
func newUser(n int) store.User {
	return store.User{Name: fmt.Sprintf("新用户%d", n), Role: store.RoleInspector, Keys: []string{fmt.Sprintf("ssh-ed25519 AAAAnew%d", n)},
		Fingerprints: []string{fmt.Sprintf("SHA256:new-user-fingerprint-%d", n)}}
}

// ids checks a read gave exactly the rows of these IDs.
func ids[T any](t *testing.T, name string, a store.Actor, rows []T, id func(T) string, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, r := range rows {
		got[id(r)] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s as %s: %v, want %v", name, a.Name, sorted(got), sorted(want))
	}
}

// keys is a map's key set.
func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// sorted returns a map's keys in order.
func sorted[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
