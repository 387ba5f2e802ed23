package store

// Personal data on screen. ID numbers and phones are shown masked (330***********1234,
// 138****5678) to everyone; township, village and grid users may reveal one full value of a
// person in their scope, and each reveal is an audit event (who, whose, which field, when;
// never the value itself). Inspectors check the work and never need the numbers.
//
// Every export of personal data (a backup, a table for the party-building office) is an audit
// event too, recorded before the first byte leaves.

import (
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
func (s *Store) Reveal(a Actor, village, household, resident, field string) (string, error) {
	if !a.CanReveal() {
		return "", outOfScope("reveal.role")
	}
	if field != FieldIDNumber && field != FieldPhone {
		return "", fmt.Errorf("unknown field %q", field)
	}
	h, err := s.Household(a, village, household)
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
	err = s.update(a, func(tx *Tx) error {
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
func (s *Store) AuditExport(a Actor, what, village string) error {
	return s.update(a, func(tx *Tx) error {
		b, _ := json.Marshal(map[string]string{"what": what, "village": village})
		key := "export"
		if village != "" {
			key += "/" + village
		}
		tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: a.Name, Action: "export", Key: key, After: b})
		return nil
	})
}
