package store

import (
	"errors"
	"slices"
	"testing"
)

// TestTeamChanges: the village names its team's captain and guiding officers among its own
// cadres, one person in one role; a grid user, another village and an inspector cannot; a
// visit records an officer of the team, and refuses anyone else.
func TestTeamChanges(t *testing.T) {
	s := cardStore(t)
	dl := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	err := s.update(t.Context(), System(), func(tx *Tx) error {
		for _, c := range []Cadre{{ID: "DL-C2", Village: "DL", Name: "王书记", Post: PostSecretary},
			{ID: "DL-C3", Village: "DL", Name: "李第一", Post: PostFirstSecretary}, {ID: "XH-C1", Village: "XH", Name: "赵书记"}} {
			if err := tx.put("test", cadreKey(c.Village, c.ID), nil, c, Change{Kind: "cadre", Village: c.Village}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tm, err := s.SetTeamCaptain(t.Context(), dl, "DL", "DL-C2")
	if err != nil || tm.Captain != "DL-C2" {
		t.Fatalf("captain: %+v %v", tm, err)
	}
	if tm, err = s.AddTeamOfficer(t.Context(), dl, "DL", "DL-C3"); err != nil || !slices.Equal(tm.Officers, []string{"DL-C1", "DL-C3"}) {
		t.Fatalf("officers: %+v %v", tm, err)
	}
	refused := func(err error, code string) {
		t.Helper()
		var re *RuleError
		if !errors.As(err, &re) || re.Code != code {
			t.Fatalf("want refusal %s, got %v", code, err)
		}
	}
	_, err = s.AddTeamOfficer(t.Context(), dl, "DL", "DL-C2")
	refused(err, "team.captain")
	_, err = s.AddTeamOfficer(t.Context(), dl, "DL", "DL-C3")
	refused(err, "team.officer.dup")
	_, err = s.SetTeamCaptain(t.Context(), dl, "DL", "DL-C3")
	refused(err, "team.officer.dup")
	_, err = s.AddTeamOfficer(t.Context(), dl, "DL", "XH-C1")
	refused(err, "team.cadre")
	_, err = s.RemoveTeamOfficer(t.Context(), dl, "DL", "DL-C2")
	refused(err, "team.officer.none")
	for _, a := range []Actor{{Name: "g", Role: RoleGrid, Village: "DL", Grid: "DL01"}, {Name: "x", Role: RoleVillage, Village: "XH"},
		{Name: "i", Role: RoleInspector}} {
		if _, err := s.AddTeamOfficer(t.Context(), a, "DL", "DL-C2"); !errors.Is(err, ErrScope) {
			t.Errorf("%+v changed the team: %v", a, err)
		}
	}
	// A visit names an officer of the team; the one taken off no longer can be named.
	visit := func(officer string) error {
		_, _, err := s.SaveVisit(t.Context(), dl, VisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-25", Officer: officer,
			Present: []string{"DL01-0001-1"}, Away: map[string]string{"DL01-0001-2": "外出务工"}})
		return err
	}
	if err := visit("DL-C3"); err != nil {
		t.Fatal(err)
	}
	if tm, err = s.RemoveTeamOfficer(t.Context(), dl, "DL", "DL-C3"); err != nil || !slices.Equal(tm.Officers, []string{"DL-C1"}) {
		t.Fatalf("removed: %+v %v", tm, err)
	}
	if fe, ok := IsFormError(visit("DL-C3")); !ok || fe.Code != "officer.unknown" {
		t.Fatalf("a visit named someone off the team: %v", fe)
	}
	if fe, ok := IsFormError(visit("DL-C2")); !ok || fe.Code != "officer.unknown" {
		t.Fatalf("a visit named the captain as its guiding officer: %v", fe)
	}
	teams, _ := s.Teams(t.Context(), dl)
	if len(teams) != 1 || teams[0].Captain != "DL-C2" {
		t.Fatalf("teams: %+v", teams)
	}
}
