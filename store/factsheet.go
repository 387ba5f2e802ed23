package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
)

// factSheetKey keys a village's fact sheet under the village, like every village row.
func factSheetKey(village string) string { return "factsheet/" + village + "/sheet" }

// FactSheet returns a village's fact sheet; a village nobody has written one for yet gets an
// empty sheet. ErrNotFound when the village does not exist or is outside the actor's scope.
func (s *Store) FactSheet(ctx context.Context, a Actor, village string) (FactSheet, error) {
	if !a.CanSee(village, "") {
		return FactSheet{}, ErrNotFound
	}
	fs := FactSheet{Village: village}
	err := s.db.View(ctx, func(txn KVTxn) error {
		var v Village
		if _, err := getJSON(txn, villageKey(village), &v); err != nil {
			return err
		}
		_, err := getJSON(txn, factSheetKey(village), &fs)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	return fs, err
}

// FactSheets returns the fact sheets written for the actor's villages.
func (s *Store) FactSheets(ctx context.Context, a Actor) ([]FactSheet, error) {
	return scan[FactSheet](ctx, s.db, a.villagePrefix("factsheet"), nil)
}

// SetFactSheet replaces the editable part of a village's fact sheet. Village and township
// users of the village may; grid users read it but do not change village-level pages.
func (s *Store) SetFactSheet(ctx context.Context, a Actor, fs FactSheet) (FactSheet, error) {
	return s.writeFactSheet(ctx, a, fs, nil, "")
}

// StaleSheetError says the fact sheet changed since the edit began: someone else saved it.
type StaleSheetError struct {
	By string
	At time.Time
}

func (e *StaleSheetError) Error() string {
	return fmt.Sprintf("fact sheet changed by %s at %s since the edit began", e.By, e.At.Format(time.DateTime))
}

// EditFactSheet saves an edit begun on the sheet last saved at base (zero for a sheet nobody
// had written) and drops the actor's draft of it (the form's draft ID, "" for none): if
// someone saved it since, nothing is written and a *StaleSheetError says who, so two officers
// editing at once never silently lose each other's page.
func (s *Store) EditFactSheet(ctx context.Context, a Actor, fs FactSheet, base time.Time, draft string) (FactSheet, error) {
	return s.writeFactSheet(ctx, a, fs, &base, draft)
}

// writeFactSheet saves a sheet, checking it is still at base when base is given.
func (s *Store) writeFactSheet(ctx context.Context, a Actor, fs FactSheet, base *time.Time, draft string) (FactSheet, error) {
	cleanFactSheet(&fs)
	var out FactSheet
	err := s.update(ctx, a, func(tx *Tx) error {
		var v Village
		if _, err := tx.get(villageKey(fs.Village), &v); err != nil {
			return fmt.Errorf("no village with code %q", fs.Village)
		}
		if err := a.CanChange(fs.Village, ""); err != nil {
			return err
		}
		var old FactSheet
		before, err := tx.get(factSheetKey(fs.Village), &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if base != nil {
			if !old.UpdatedAt.Equal(*base) {
				return &StaleSheetError{By: old.UpdatedBy, At: old.UpdatedAt}
			}
			// The edit is saved: its draft goes in the same transaction, as a visit's does.
			if err := dropDraft(tx, DraftFactSheet, draft); err != nil {
				return err
			}
		}
		if sameFactSheet(old, fs) {
			out = old
			return nil
		}
		fs.UpdatedBy, fs.UpdatedAt = a.Name, tx.at
		out = fs
		return tx.put("factsheet.set", factSheetKey(fs.Village), before, fs, Change{Kind: "factsheet", Village: fs.Village})
	})
	return out, err
}

// FactSections names the editable sections of a fact sheet, in the page's order: profile
// (村情), industries (产业), services (服务), vision (远景), tasks (任务).
func FactSections() []string {
	return []string{"profile", "industries", "services", "vision", "tasks"}
}

// sameSection compares one section of two sheets.
func sameSection(a, b FactSheet, sec string) bool {
	switch sec {
	case "profile":
		return a.Profile == b.Profile
	case "industries":
		return slices.Equal(a.Industries, b.Industries)
	case "services":
		return slices.Equal(a.Services, b.Services)
	case "vision":
		return a.Vision == b.Vision
	case "tasks":
		return slices.Equal(a.Tasks, b.Tasks)
	}
	return true
}

// copySection copies one section of from into to.
func copySection(to *FactSheet, from FactSheet, sec string) {
	switch sec {
	case "profile":
		to.Profile = from.Profile
	case "industries":
		to.Industries = from.Industries
	case "services":
		to.Services = from.Services
	case "vision":
		to.Vision = from.Vision
	case "tasks":
		to.Tasks = from.Tasks
	}
}

// sameFactSheet compares the content of two sheets, not who wrote them when.
func sameFactSheet(a, b FactSheet) bool {
	return a.Village == b.Village && a.Profile == b.Profile && a.Vision == b.Vision &&
		slices.Equal(a.Industries, b.Industries) && slices.Equal(a.Services, b.Services) && slices.Equal(a.Tasks, b.Tasks)
}

// cleanFactSheet cleans a sheet's text and drops empty list items.
func cleanFactSheet(fs *FactSheet) {
	fs.Village = clean.Line(fs.Village)
	fs.Profile, fs.Vision = clean.Text(fs.Profile), clean.Text(fs.Vision)
	items := func(ss []string) []string {
		var out []string
		for _, s := range ss {
			if s = clean.Line(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	fs.Industries, fs.Services, fs.Tasks = items(fs.Industries), items(fs.Services), items(fs.Tasks)
}

// VillageFacts is everything a village's fact sheet shows: the stored page, and the profile
// and cadres drawn from the village's rows (moved-out households and people not counted).
type VillageFacts struct {
	Township   Township
	Village    Village
	Grids      []Grid
	Households int
	Residents  int
	Members    int
	Cadres     []Cadre // in the order of PostOrder, then by ID
	Sheet      FactSheet
}

// PostOrder lists the posts in the order a fact sheet introduces the cadres.
func PostOrder() []string {
	return []string{PostSecretary, PostFirstSecretary, PostGuide, PostCommittee, PostGridSecretary, PostSupervisor}
}

// postRank orders a post by PostOrder; unknown posts come last.
func postRank(post string) int {
	if i := slices.Index(PostOrder(), post); i >= 0 {
		return i
	}
	return len(PostOrder())
}

// Facts returns a village's fact sheet with its profile figures and cadres; every member of
// the village's team may read it (grid users included).
func (s *Store) Facts(ctx context.Context, a Actor, village string) (VillageFacts, error) {
	var f VillageFacts
	if !a.CanSee(village, "") {
		return f, ErrNotFound
	}
	sheet, err := s.FactSheet(ctx, a, village)
	if err != nil {
		return f, err
	}
	f.Sheet = sheet
	if f.Township, err = s.Township(ctx); err != nil && !errors.Is(err, ErrNotFound) {
		return f, err
	}
	err = s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, villageKey(village), &f.Village)
		return err
	})
	if err != nil {
		return f, err
	}
	// The profile counts the whole village even for a grid user: it is village-level
	// information, printed on the page every member carries.
	grids, err := scan[Grid](ctx, s.db, "grid/"+village+"/", nil)
	if err != nil {
		return f, err
	}
	f.Grids = grids
	hhs, err := s.villageHouseholds(ctx, village)
	if err != nil {
		return f, err
	}
	for _, h := range CurrentHouseholds(hhs) {
		f.Households++
		f.Residents += len(h.Residents)
	}
	members, err := scan[Member](ctx, s.db, "member/"+village+"/", nil)
	if err != nil {
		return f, err
	}
	f.Members = len(CurrentMembers(members))
	cadres, err := scan[Cadre](ctx, s.db, "cadre/"+village+"/", nil)
	if err != nil {
		return f, err
	}
	slices.SortStableFunc(cadres, func(x, y Cadre) int {
		if d := postRank(x.Post) - postRank(y.Post); d != 0 {
			return d
		}
		return strings.Compare(x.ID, y.ID)
	})
	f.Cadres = cadres
	return f, nil
}

// FactSheetDraft is a fact sheet being edited, kept as it is typed so that a dropped link
// loses nothing: the sheet, the version it was begun from and the field in focus.
type FactSheetDraft struct {
	Sheet   FactSheet `json:"sheet"`
	Base    time.Time `json:"base,omitzero"`
	Focus   int       `json:"focus,omitempty"`
	SavedAt time.Time `json:"saved_at,omitzero"`
}
