package store

import (
	"errors"
	"testing"
)

func TestSaveVisitWritesVisitConcernsAndDropsDraft(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	d := VisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-20", Present: []string{"DL01-0001-1"},
		Topics:   []string{TopicProfile, TopicVision},
		Findings: map[string]string{"suggestion": "希望修一条通往果园的路", "hazard": "屋后电线老化"},
		Category: map[string]string{"hazard": "安全生产"},
		Special:  []string{"困难家庭"},
		Concerns: []DraftConcern{
			{Description: "屋后电线老化需更换", Category: "用电安全", Tag: TagRed},
			{Description: "咨询医保缴费", Category: "医保社保", Tag: TagGreen, OnSite: true, Done: "已当场解答"},
		}}
	if err := s.SaveDraft(a, d); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Draft(a); err != nil || got.Household != "DL01-0001" {
		t.Fatalf("draft: %+v %v", got, err)
	}
	v, cs, err := s.SaveVisit(a, d)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "DL-V0001" || len(v.Concerns) != 2 || len(v.Findings) != 2 || len(v.Topics) != 2 {
		t.Fatalf("visit: %+v", v)
	}
	grid, onsite := cs[0], cs[1]
	if grid.ID != "DL-0003" || grid.Tier != TierGrid || grid.Status != StatusNew || grid.Plan.Deadline != "2026-11-23" {
		t.Fatalf("passed-on concern: %+v", grid)
	}
	if onsite.Tier != TierOnSite || onsite.Status != StatusResolved || onsite.Resolution != "已当场解答" || onsite.ResolvedBy != "陈静" {
		t.Fatalf("on-site concern: %+v", onsite)
	}
	if _, err := s.Draft(a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("draft left after save: %v", err)
	}
	h, _ := s.Household(a, "DL", "DL01-0001")
	if len(h.Special) != 1 || h.Special[0] != "困难家庭" {
		t.Fatalf("special groups not updated: %v", h.Special)
	}
	// Editing keeps the previous version.
	d.Editing, d.Notes, d.Concerns = v.ID, "补记：户主下午回家", nil
	v2, _, err := s.SaveVisit(a, d)
	if err != nil || v2.ID != v.ID || v2.Notes == "" || len(v2.Concerns) != 2 {
		t.Fatalf("edit: %+v %v", v2, err)
	}
	old, err := s.VisitVersions(a, "DL", v.ID)
	if err != nil || len(old) != 1 || old[0].Notes != "" {
		t.Fatalf("versions: %+v %v", old, err)
	}
}

func TestSaveVisitValidates(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	ok := VisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-20", Present: []string{"DL01-0001-1"}}
	cases := []struct {
		mut  func(*VisitDraft)
		code string
	}{
		{func(d *VisitDraft) { d.Household = "" }, "household.required"},
		{func(d *VisitDraft) { d.Date = "2026-11-21" }, "date.future"},
		{func(d *VisitDraft) { d.Date = "20261120" }, "date.format"},
		{func(d *VisitDraft) { d.Concerns = []DraftConcern{{Tag: TagRed}} }, "concern.description"},
		{func(d *VisitDraft) { d.Concerns = []DraftConcern{{Description: "x", OnSite: true}} }, "concern.done"},
		{func(d *VisitDraft) { d.Household = "XH01-0001" }, "household.unknown"},
		{func(d *VisitDraft) { d.Present = nil }, "present.none"},
	}
	for _, c := range cases {
		d := ok
		c.mut(&d)
		_, _, err := s.SaveVisit(a, d)
		fe, isForm := IsFormError(err)
		if !isForm || fe.Code != c.code {
			t.Errorf("%s: got %v", c.code, err)
		}
	}
	if _, _, err := s.SaveVisit(Actor{Name: "督查", Role: RoleInspector}, ok); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector saved a visit: %v", err)
	}
}
