package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Official is a township official (镇领导 or 镇干部): a leader of the township committee, who
// may be in charge of villages (包新村), or staff of one of its offices. Township-tier concerns
// are owned by officials, as village-tier ones are by the village's cadres.
type Official struct {
	ID     string `json:"id"` // T01, T02, …
	Name   string `json:"name"`
	Post   string `json:"post"`             // 镇党委书记, 镇长, 副镇长, 党建办主任, 民政办工作人员…
	Duties string `json:"duties,omitempty"` // 分工: the villages or matters they are in charge of
	Phone  string `json:"phone,omitempty"`
}

func officialKey(id string) string { return "official/" + id }

// OfficialID formats an official's ID from its number: T01.
func OfficialID(n int) string { return fmt.Sprintf("T%02d", n) }

// Officials returns the township's officials, by ID. Every role reads them: who leads the
// township and who answers for its cases is public to the campaign.
func (s *Store) Officials(ctx context.Context, a Actor) ([]Official, error) {
	return scan[Official](ctx, s.db, "official/", nil)
}

// Owner is a person a concern may be given to at its tier: a township official, a cadre or a
// party member.
type Owner struct {
	ID   string // the official's, cadre's or member's ID
	Name string
	// Detail says who they are: the post, and the grid for a grid secretary or member
	// ("前岭网格 网格书记", "前岭网格党员").
	Detail string
	// Note tells them apart from another candidate of the same name (their grid or post);
	// empty when the name is unique among the candidates.
	Note string
}

// Label is how a picker lists the person: the name and who they are.
func (o Owner) Label() string { return o.Name + "  " + o.Detail }

// Owners returns the people the concern may be given to at its tier: at the township tier
// the township's officials, at the village tier the village's cadres, at the grid (or on-site)
// tier the grid's cadres and the party members living in it. Two people of one name carry a
// Note (grid or post) that tells them apart.
func (s *Store) Owners(ctx context.Context, a Actor, concernID string) ([]Owner, error) {
	var out []Owner
	err := s.db.View(ctx, func(txn KVTxn) error {
		var c Concern
		if _, err := getJSON(txn, concernKey(ConcernVillage(concernID), concernID), &c); err != nil {
			return err
		}
		if !a.CanSee(c.Village, c.Grid) {
			return ErrNotFound
		}
		var err error
		out, err = ownersAt(txn, c.Village, c.Grid, c.Tier)
		return err
	})
	return out, err
}

// OwnersAt returns the people who may own a concern of this village and grid at this tier
// (see Owners).
func (s *Store) OwnersAt(ctx context.Context, a Actor, village, grid string, tier Tier) ([]Owner, error) {
	if !a.CanSee(village, grid) {
		return nil, ErrNotFound
	}
	var out []Owner
	err := s.db.View(ctx, func(txn KVTxn) error {
		var err error
		out, err = ownersAt(txn, village, grid, tier)
		return err
	})
	return out, err
}

// ownersAt lists the candidates inside a transaction (Triage checks an owner against them in
// the transaction that writes it).
func ownersAt(txn KVTxn, village, grid string, tier Tier) ([]Owner, error) {
	var os []Official
	var cs []Cadre
	var ms []Member
	if tier == TierTownship {
		rows, err := scanStored[Official](txn, "official/")
		if err != nil {
			return nil, err
		}
		for _, o := range rows {
			os = append(os, o.v)
		}
		return Candidates(tier, grid, os, nil, nil, nil), nil
	}
	grids, err := gridNames(txn, village)
	if err != nil {
		return nil, err
	}
	rows, err := scanStored[Cadre](txn, "cadre/"+village+"/")
	if err != nil {
		return nil, err
	}
	for _, c := range rows {
		cs = append(cs, c.v)
	}
	if tier != TierVillage {
		rows, err := scanStored[Member](txn, "member/"+village+"/")
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			ms = append(ms, m.v)
		}
	}
	return Candidates(tier, grid, nil, cs, ms, grids), nil
}

// Candidates picks, from a village's cadres and members (or the township's officials), the
// people who may own a concern at this tier in this grid — see Owners — each with the Note
// that tells two of one name apart. gridNames names the village's grids by code. The store
// and the demo generator both choose owners by it.
func Candidates(tier Tier, grid string, officials []Official, cadres []Cadre, members []Member, gridNames map[string]string) []Owner {
	var out []Owner
	notes := map[string]string{} // what tells the person apart when their name is shared
	switch tier {
	case TierTownship:
		for _, o := range officials {
			out = append(out, Owner{ID: o.ID, Name: o.Name, Detail: o.Post})
			notes[o.ID] = o.Post
		}
	case TierVillage:
		for _, c := range cadres {
			d, note := c.Post, c.Post
			if c.Grid != "" {
				d, note = gridNames[c.Grid]+" "+c.Post, gridNames[c.Grid]
			}
			out = append(out, Owner{ID: c.ID, Name: c.Name, Detail: d})
			notes[c.ID] = note
		}
	default: // the grid tier, and on site (the visitors are the grid's members)
		cadreOf := map[string]bool{} // members listed as a cadre already
		for _, c := range cadres {
			if c.Grid != grid {
				continue
			}
			out = append(out, Owner{ID: c.ID, Name: c.Name, Detail: gridNames[grid] + " " + c.Post})
			notes[c.ID] = c.Post
			cadreOf[c.Member] = true
		}
		for _, m := range members {
			if m.Grid != grid || m.MovedOut != "" || cadreOf[m.ID] {
				continue
			}
			out = append(out, Owner{ID: m.ID, Name: m.Name, Detail: gridNames[grid] + "党员"})
			notes[m.ID] = gridNames[grid] + "党员"
		}
	}
	byName := map[string][]int{}
	for i, o := range out {
		byName[o.Name] = append(byName[o.Name], i)
	}
	for _, is := range byName {
		if len(is) < 2 {
			continue
		}
		same := map[string]int{}
		for _, i := range is {
			same[notes[out[i].ID]]++
		}
		for _, i := range is {
			n := notes[out[i].ID]
			if same[n] > 1 { // the same name and the same grid or post: the ID tells them apart
				n += " " + out[i].ID
			}
			out[i].Note = n
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// gridNames names the grids of a village, by code.
func gridNames(txn KVTxn, village string) (map[string]string, error) {
	gs, err := scanStored[Grid](txn, "grid/"+village+"/")
	names := make(map[string]string, len(gs))
	for _, g := range gs {
		names[g.v.Code] = g.v.Name
	}
	return names, err
}

// resolveOwner finds the person an owner text names among the concern's candidates: by ID,
// else by name when exactly one candidate has it. A name two candidates share, or one no
// candidate has, is refused with the reason.
func resolveOwner(tx *Tx, c Concern, text string) (Owner, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Owner{}, refuse("owner.empty")
	}
	cands, err := ownersAt(tx.txn, c.Village, c.Grid, c.Tier)
	if err != nil {
		return Owner{}, err
	}
	if i := slices.IndexFunc(cands, func(o Owner) bool { return o.ID == text }); i >= 0 {
		return cands[i], nil
	}
	var same []Owner
	for _, o := range cands {
		if o.Name == text || o.Name+"（"+o.Note+"）" == text {
			same = append(same, o)
		}
	}
	switch len(same) {
	case 1:
		return same[0], nil
	case 0:
		return Owner{}, refuse("owner.unknown", text, c.ID, string(c.Tier))
	}
	var notes []string
	for _, o := range same {
		notes = append(notes, o.Note)
	}
	return Owner{}, refuse("owner.ambiguous", text, strings.Join(notes, "、"))
}
