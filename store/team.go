package store

import (
	"context"
	"errors"
	"slices"
)

// The visit team (走访小队) of a village: its captain (队长, the village party secretary) and
// its guiding officers (指导员, the first secretary and the village guiding officer), who
// supervise and join the visits. A cadres import points the team at the cadres in those
// posts; the village corrects it here. Each change reads the team in its transaction, so two
// people changing one team never lose each other's change.

// SetTeamCaptain makes a cadre of the village the team's captain.
func (s *Store) SetTeamCaptain(ctx context.Context, a Actor, village, cadre string) (Team, error) {
	return s.changeTeam(ctx, a, village, cadre, func(t *Team) string {
		if slices.Contains(t.Officers, cadre) {
			return "team.officer.dup"
		}
		t.Captain = cadre
		return ""
	})
}

// AddTeamOfficer adds a cadre of the village to the team's guiding officers.
func (s *Store) AddTeamOfficer(ctx context.Context, a Actor, village, cadre string) (Team, error) {
	return s.changeTeam(ctx, a, village, cadre, func(t *Team) string {
		switch {
		case t.Captain == cadre:
			return "team.captain"
		case slices.Contains(t.Officers, cadre):
			return "team.officer.dup"
		}
		t.Officers = append(slices.Clone(t.Officers), cadre)
		return ""
	})
}

// RemoveTeamOfficer takes a guiding officer off the team; the visits they joined keep them.
func (s *Store) RemoveTeamOfficer(ctx context.Context, a Actor, village, cadre string) (Team, error) {
	return s.changeTeam(ctx, a, village, cadre, func(t *Team) string {
		i := slices.Index(t.Officers, cadre)
		if i < 0 {
			return "team.officer.none"
		}
		t.Officers = slices.Delete(slices.Clone(t.Officers), i, i+1)
		return ""
	})
}

// changeTeam applies change to the village's team in one transaction, after checking that
// the actor builds the village's groups and that cadre is one of its cadres; change returns
// the code of its refusal, if any, which names the cadre and the village.
func (s *Store) changeTeam(ctx context.Context, a Actor, village, cadre string, change func(*Team) string) (Team, error) {
	if err := a.canBuild(village); err != nil {
		return Team{}, err
	}
	var out Team
	err := s.update(ctx, a, func(tx *Tx) error {
		var v Village
		if _, err := tx.get(villageKey(village), &v); err != nil {
			if errors.Is(err, ErrNotFound) {
				return refuse("village.unknown", village)
			}
			return err
		}
		var c Cadre
		if _, err := tx.get(cadreKey(village, cadre), &c); err != nil {
			if errors.Is(err, ErrNotFound) {
				return refuse("team.cadre", cadre, v.Name)
			}
			return err
		}
		t := Team{Village: village}
		before, err := tx.get(teamKey(village), &t)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if code := change(&t); code != "" {
			return refuse(code, c.Name, v.Name)
		}
		out = t
		return tx.put("team.set", teamKey(village), before, t, Change{Kind: "team", Village: village})
	})
	return out, err
}
