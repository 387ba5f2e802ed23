package store

// Personal data at the store's edge. Residents' ID numbers and phones and party members'
// phones leave the store masked (330***********1234, 138****5678) from every read, for every
// role: the panes never decide what to hide. A full value leaves it two ways only, both audited
// before it is handed out:
//
//   - Reveal: one field of one person in scope, by township, village and grid users (who call
//     and serve residents); the audit event says who, whose, which field and when, never the
//     value itself. Inspectors check the work and never need the numbers.
//   - PersonalData: every full value in scope, for an export of personal data (the roster in
//     the import format, the groups list), by township and village users only; the audit
//     event is the export's.
//
// Cadres' and township officials' phones are their duty phones: the fact sheet (明白纸) every
// member carries to every door prints them so residents know whom to call, so they are not
// masked. The audit trail masks personal fields in the rows it quotes.
//
// Every export of personal data (a backup, a table for the party-building office) is an audit
// event, recorded before the first byte leaves.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// mask keeps the first head and last tail characters of s and stars the rest; a value too
// short to keep anything is starred whole.
func mask(s string, head, tail int) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	if n <= head+tail {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
}

// MaskID masks an ID number (身份证号) to its first 3 and last 4 characters.
func MaskID(id string) string { return mask(id, 3, 4) }

// MaskPhone masks a phone number to its first 3 and last 4 digits, as Chinese apps do.
func MaskPhone(p string) string { return mask(p, 3, 4) }

// Personal fields a reveal may ask for.
const (
	FieldIDNumber = "id_number"
	FieldPhone    = "phone"
)

// CanReveal reports whether the actor's role may reveal full ID numbers and phones (of people
// in scope): the roles that call and serve residents.
func (a Actor) CanReveal() bool {
	return a.Role == RoleTownship || a.Role == RoleVillage || a.Role == RoleGrid
}

// Reveal returns one resident's full ID number or phone, and records who asked in the audit
// trail. The resident must be in the actor's scope.
func (s *Store) Reveal(ctx context.Context, a Actor, village, household, resident, field string) (string, error) {
	if !a.CanReveal() {
		return "", outOfScope("reveal.role")
	}
	if field != FieldIDNumber && field != FieldPhone {
		return "", fmt.Errorf("unknown field %q", field)
	}
	h, err := s.household(ctx, village, household)
	if err == nil && !a.CanSee(h.Village, h.Grid) {
		err = ErrNotFound
	}
	if err != nil {
		return "", err
	}
	var value string
	found := false
	for _, r := range h.Residents {
		if r.ID == resident {
			value, found = r.Phone, true
			if field == FieldIDNumber {
				value = r.IDNumber
			}
		}
	}
	if !found {
		return "", ErrNotFound
	}
	err = s.update(ctx, a, func(tx *Tx) error {
		b, _ := json.Marshal(map[string]string{"household": h.ID, "resident": resident, "field": field})
		tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: a.Name, Action: "personal.reveal",
			Key: "household/" + h.Village + "/" + h.Grid + "/" + h.ID, After: b})
		return nil
	})
	if err != nil {
		return "", err
	}
	return value, nil
}

// AuditExport records that the actor exported personal data: what (e.g. "backup",
// "summary.xlsx") and of which village ("" for the whole township). Call it before the first
// byte of the export leaves, and do not export if it fails.
func (s *Store) AuditExport(ctx context.Context, a Actor, what, village string) error {
	if village != "" && !a.CanSee(village, "") {
		return ErrNotFound
	}
	return s.update(ctx, a, func(tx *Tx) error {
		auditExport(tx, what, village)
		return nil
	})
}

// auditExport records an export in the transaction.
func auditExport(tx *Tx, what, village string) {
	b, _ := json.Marshal(map[string]string{"what": what, "village": village})
	key := "export"
	if village != "" {
		key += "/" + village
	}
	tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: tx.actor.Name, Action: "export", Key: key, After: b})
}

// Contact is one person's full ID number and phone (a member has only a phone).
type Contact struct {
	IDNumber string
	Phone    string
}

// Personal holds the full personal numbers of an export's people: residents by resident ID,
// party members by member ID.
type Personal struct {
	Residents map[string]Contact
	Members   map[string]Contact
}

// CanExportPersonal reports whether the actor's role may export personal data in full: the
// township and village users who file rosters and contact lists. Grid users and inspectors
// export them masked.
func (a Actor) CanExportPersonal() bool { return a.Role == RoleTownship || a.Role == RoleVillage }

// PersonalData returns the full ID numbers and phones of the residents and party members in
// the actor's scope (one village, or all of them for ""), for an export of personal data named
// what ("residents.xlsx"). The export is recorded in the audit trail first, in its own
// transaction: if that fails nothing is returned. Township and village users only.
func (s *Store) PersonalData(ctx context.Context, a Actor, what, village string) (Personal, error) {
	if !a.CanExportPersonal() {
		return Personal{}, outOfScope("reveal.role")
	}
	if village != "" && !a.CanSee(village, "") {
		return Personal{}, ErrNotFound
	}
	if err := s.AuditExport(ctx, a, what, village); err != nil {
		return Personal{}, err
	}
	prefix := func(kind string) string {
		if village != "" {
			return kind + "/" + village + "/"
		}
		return a.villagePrefix(kind)
	}
	p := Personal{Residents: map[string]Contact{}, Members: map[string]Contact{}}
	hhs, err := scan(ctx, s.db, prefix("household"), func(h *Household) bool { return a.CanSee(h.Village, h.Grid) })
	if err != nil {
		return Personal{}, err
	}
	for _, h := range hhs {
		for _, r := range h.Residents {
			if r.IDNumber != "" || r.Phone != "" {
				p.Residents[r.ID] = Contact{IDNumber: r.IDNumber, Phone: r.Phone}
			}
		}
	}
	ms, err := scan(ctx, s.db, prefix("member"), func(m *Member) bool { return a.CanSee(m.Village, m.Grid) })
	if err != nil {
		return Personal{}, err
	}
	for _, m := range ms {
		if m.Phone != "" {
			p.Members[m.ID] = Contact{Phone: m.Phone}
		}
	}
	return p, nil
}

// maskHousehold returns the household with its residents' ID numbers and phones masked, on a
// copy of the residents (the caller's rows, and the cache's, stay as they were).
func maskHousehold(h Household) Household {
	if len(h.Residents) == 0 {
		return h
	}
	rs := make([]Resident, len(h.Residents))
	for i, r := range h.Residents {
		r.IDNumber, r.Phone = MaskID(r.IDNumber), MaskPhone(r.Phone)
		rs[i] = r
	}
	h.Residents = rs
	return h
}

// maskMembers masks the members' phones in place.
func maskMembers(ms []Member) {
	for i := range ms {
		ms[i].Phone = MaskPhone(ms[i].Phone)
	}
}

// personalFields are the JSON fields the audit trail masks in the household and member rows it
// quotes.
var personalFields = map[string]func(string) string{"id_number": MaskID, "phone": MaskPhone}

// maskAudit masks the personal fields of a household's or a member's row quoted by an audit
// event (before and after).
func maskAudit(ev AuditEvent) AuditEvent {
	if !strings.HasPrefix(ev.Key, "household/") && !strings.HasPrefix(ev.Key, "member/") {
		return ev
	}
	ev.Before, ev.After = maskJSON(ev.Before), maskJSON(ev.After)
	return ev
}

// maskJSON masks every id_number and phone string anywhere in a JSON document; a document
// that does not decode is dropped rather than shown.
func maskJSON(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if f, ok := personalFields[k]; ok {
					if s, ok := e.(string); ok {
						x[k] = f(s)
						continue
					}
				}
				x[k] = walk(e)
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return nil
	}
	return out
}
