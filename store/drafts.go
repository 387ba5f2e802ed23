package store

// Drafts. A form is saved as a draft as it is typed, so a dropped connection or a restart
// brings the person back to it. A draft is one person's scratch paper, not campaign data: it
// is written without an audit event (a save per pause in typing would bury the trail) and
// removed, in the same transaction, by the audited save of the form itself. It is still a
// write like any other: refused on a full disk (ErrDiskFull) rather than half-written, retried
// on a conflict, and scoped — inspectors type no forms, a draft names the village it is about
// and is not shown once that village is outside the user's scope.
//
// Drafts are keyed by user, form kind and an ID the interface gives each form (one per session
// form), so two sessions of one person never overwrite each other's: drafts/<user>/<kind>/<id>.
// Discarding a draft removes it for every session of that user.

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DraftKind names the form a draft is of.
type DraftKind string

// The forms that keep drafts.
const (
	DraftVisit     DraftKind = "visit"     // the registration form (VisitDraft)
	DraftRevisit   DraftKind = "revisit"   // the revisit form (RevisitDraft)
	DraftFactSheet DraftKind = "factsheet" // a fact sheet being edited (FactSheetDraft)
	DraftGroup     DraftKind = "group"     // a visit group being built or changed (GroupDraft)
)

// GroupDraft is a visit group form as it was left: the group as built so far, and the field
// the cursor was on.
type GroupDraft struct {
	Group Group `json:"group"`
	Focus int   `json:"focus"`
	// SavedAt is when the draft was saved (set by Draft.Decode).
	SavedAt time.Time `json:"saved_at,omitzero"`
}

// Draft is one saved draft: what kind of form, the form's ID, the village it is about, when it
// was last saved, and the form's data as JSON (Decode it into the form's type).
type Draft struct {
	Kind    DraftKind       `json:"kind"`
	ID      string          `json:"id"`
	Village string          `json:"village,omitempty"`
	SavedAt time.Time       `json:"saved_at"`
	Data    json.RawMessage `json:"data"`
}

// Decode unmarshals the draft's data into v (a *VisitDraft, *RevisitDraft, *FactSheetDraft);
// the forms' own SavedAt is set to when the draft was saved.
func (d Draft) Decode(v any) error {
	if err := json.Unmarshal(d.Data, v); err != nil {
		return err
	}
	switch x := v.(type) {
	case *VisitDraft:
		x.SavedAt = d.SavedAt
	case *RevisitDraft:
		x.SavedAt = d.SavedAt
	case *FactSheetDraft:
		x.SavedAt = d.SavedAt
	case *GroupDraft:
		x.SavedAt = d.SavedAt
	}
	return nil
}

// DraftScoped is a form's data that says which village it is about, so the store can keep the
// draft in the user's scope.
type DraftScoped interface{ DraftVillage() string }

// DraftVillage is the village the visit form is about.
func (d VisitDraft) DraftVillage() string { return d.Village }

// DraftVillage is the village the revisit form is about.
func (d RevisitDraft) DraftVillage() string { return d.Village }

// DraftVillage is the village whose fact sheet is being edited.
func (d FactSheetDraft) DraftVillage() string { return d.Sheet.Village }

// DraftVillage is the village whose group the draft builds.
func (d GroupDraft) DraftVillage() string { return d.Group.Village }

// ErrDraftID is returned for a draft ID that is empty, too long or holds a '/'.
var ErrDraftID = errors.New("a draft ID is 1–64 characters without '/'")

func draftPrefix(user string, kind DraftKind) string {
	return "drafts/" + user + "/" + string(kind) + "/"
}
func draftKey(user string, kind DraftKind, id string) string {
	return draftPrefix(user, kind) + id
}

// checkDraft checks a draft's kind and ID, and that the actor keeps drafts at all.
func checkDraft(a Actor, kind DraftKind, id string) error {
	if a.Role == RoleInspector {
		return outOfScope("readonly")
	}
	switch kind {
	case DraftVisit, DraftRevisit, DraftFactSheet, DraftGroup:
	default:
		return errors.New("unknown draft kind " + string(kind))
	}
	if id == "" || utf8.RuneCountInString(id) > 64 || strings.Contains(id, "/") {
		return ErrDraftID
	}
	return nil
}

// SaveDraft keeps the actor's draft of a form (kind, id), replacing what that form saved
// before. data is the form's value (VisitDraft, RevisitDraft, FactSheetDraft); the village it
// names must be in the actor's scope (one they may change, for a fact sheet).
func (s *Store) SaveDraft(ctx context.Context, a Actor, kind DraftKind, id string, data any) error {
	if err := checkDraft(a, kind, id); err != nil {
		return err
	}
	village := ""
	if sc, ok := data.(DraftScoped); ok {
		village = sc.DraftVillage()
	}
	if village != "" && !a.CanSee(village, "") {
		return ErrNotFound
	}
	if kind == DraftFactSheet || kind == DraftGroup {
		if err := a.CanChange(village, ""); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.update(ctx, a, func(tx *Tx) error {
		b, err := json.Marshal(Draft{Kind: kind, ID: id, Village: village, SavedAt: tx.at, Data: raw})
		if err != nil {
			return err
		}
		return tx.txn.Set([]byte(draftKey(a.Name, kind, id)), b)
	})
}

// Draft returns the actor's draft of one form, or ErrNotFound (none, or about a village no
// longer in the actor's scope).
func (s *Store) Draft(ctx context.Context, a Actor, kind DraftKind, id string) (Draft, error) {
	if err := checkDraft(a, kind, id); err != nil {
		return Draft{}, err
	}
	var d Draft
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, draftKey(a.Name, kind, id), &d)
		return err
	})
	if err == nil && d.Village != "" && !a.CanSee(d.Village, "") {
		return Draft{}, ErrNotFound
	}
	return d, err
}

// Drafts lists the actor's drafts of a kind of form, from every session, the last saved
// first; drafts about villages no longer in the actor's scope are left out.
func (s *Store) Drafts(ctx context.Context, a Actor, kind DraftKind) ([]Draft, error) {
	if err := checkDraft(a, kind, "x"); err != nil {
		return nil, err
	}
	ds, err := scan(ctx, s.db, draftPrefix(a.Name, kind), func(d *Draft) bool { return d.Village == "" || a.CanSee(d.Village, "") })
	slices.SortStableFunc(ds, func(x, y Draft) int { return y.SavedAt.Compare(x.SavedAt) })
	return ds, err
}

// DiscardDraft removes the actor's draft of a form, for every session of theirs: a change
// (kind "draft", the user's name as ID) tells their other sessions.
func (s *Store) DiscardDraft(ctx context.Context, a Actor, kind DraftKind, id string) error {
	if err := checkDraft(a, kind, id); err != nil {
		return err
	}
	return s.update(ctx, a, func(tx *Tx) error {
		key := []byte(draftKey(a.Name, kind, id))
		if _, err := tx.txn.Get(key); errors.Is(err, ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		tx.changes = append(tx.changes, Change{Kind: "draft", ID: a.Name})
		return tx.txn.Delete(key)
	})
}

// dropDraft deletes a form's draft inside the transaction that saves the form (id "" keeps
// every draft: the form was not kept as one).
func dropDraft(tx *Tx, kind DraftKind, id string) error {
	if id == "" {
		return nil
	}
	return tx.txn.Delete([]byte(draftKey(tx.actor.Name, kind, id)))
}

// moveOldDrafts moves drafts saved before forms had IDs (one per user and form, under
// draft/, rdraft/ and fdraft/) to the form ID "main", once, when a store is opened.
func (s *Store) moveOldDrafts() error {
	for prefix, kind := range map[string]DraftKind{"draft/": DraftVisit, "rdraft/": DraftRevisit, "fdraft/": DraftFactSheet} {
		type old struct {
			user string
			raw  []byte
		}
		var olds []old
		err := s.db.View(context.Background(), func(txn KVTxn) error {
			it := txn.NewIterator(IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				raw, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				olds = append(olds, old{user: strings.TrimPrefix(string(it.Item().Key()), prefix), raw: raw})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, o := range olds {
			var scoped struct {
				Village string    `json:"village"`
				SavedAt time.Time `json:"saved_at"`
				Sheet   struct {
					Village string `json:"village"`
				} `json:"sheet"`
			}
			_ = json.Unmarshal(o.raw, &scoped)
			d := Draft{Kind: kind, ID: "main", Village: scoped.Village, SavedAt: scoped.SavedAt, Data: o.raw}
			if kind == DraftFactSheet || kind == DraftGroup {
				d.Village = scoped.Sheet.Village
			}
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := s.db.Update(context.Background(), func(txn KVTxn) error {
				if err := txn.Set([]byte(draftKey(o.user, kind, "main")), b); err != nil {
					return err
				}
				return txn.Delete([]byte(prefix + o.user))
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
