package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// BulkLoader writes a generated or first-imported data set into an empty store through a
// write batch, part by part, so a county-size data set never has to sit in memory whole.
// It is meant for a store no session is using yet: nothing is published until Finish, and the
// township row Finish writes last is what makes the store non-empty, so a load cut short by a
// crash leaves a store that the next load (or seed) simply writes over.
type BulkLoader struct {
	s  *Store
	a  Actor
	wb KVBatch
	// release lets the store close once the batch is flushed or cancelled (see gatedDB).
	release func()
	seqs    map[string]uint64
	counts  map[string]int
	audits  int
}

// NewBulkLoader starts a bulk load into an empty store; township actors only.
func (s *Store) NewBulkLoader(ctx context.Context, a Actor) (BulkLoad, error) {
	if a.Role != RoleTownship {
		return nil, ErrScope
	}
	empty, err := s.Empty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, ErrNotEmpty
	}
	wb, release, err := s.db.NewWriteBatch()
	if err != nil {
		return nil, err
	}
	return &BulkLoader{s: s, a: a, wb: wb, release: release, seqs: map[string]uint64{}, counts: map[string]int{}}, nil
}

func (b *BulkLoader) set(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.wb.Set([]byte(key), raw)
}

// count keeps the counters after the highest number loaded, so the next concern, visit or
// revisit typed in never takes a loaded row's ID.
func (b *BulkLoader) count(kind, village, id string) {
	b.seqs[kind+"/"+village] = max(b.seqs[kind+"/"+village], trailingNumber(id))
}

// Add writes every row of d (its Township is ignored: Finish writes it). Text fields are
// cleaned on the way in (in d itself).
func (b *BulkLoader) Add(ctx context.Context, d Dataset) error {
	cleanDataset(&d)
	var errs []error
	for _, v := range d.Villages {
		errs = append(errs, b.set(villageKey(v.Code), v))
	}
	for _, g := range d.Grids {
		errs = append(errs, b.set(gridKey(g.Village, g.Code), g))
	}
	for _, h := range d.Households {
		errs = append(errs, b.set(householdKey(h), h))
		// The household ID index (hhindex.go), which Tx.put keeps for every other write.
		errs = append(errs, b.wb.Set([]byte(householdIndexKey(h.Village, h.ID)), []byte(householdKey(h))))
	}
	for _, m := range d.Members {
		errs = append(errs, b.set(memberKey(m.Village, m.ID), m))
	}
	for _, c := range d.Cadres {
		errs = append(errs, b.set(cadreKey(c.Village, c.ID), c))
	}
	for _, o := range d.Officials {
		errs = append(errs, b.set(officialKey(o.ID), o))
	}
	for _, p := range d.Projects {
		errs = append(errs, b.set(projectKey(p.Village, p.ID), p))
		b.count("project", p.Village, p.ID)
	}
	for _, t := range d.Teams {
		errs = append(errs, b.set(teamKey(t.Village), t))
	}
	for _, g := range d.Groups {
		errs = append(errs, b.set(groupKey(g.Village, g.ID), g))
		b.count("group", g.Village, g.ID)
	}
	for _, r := range d.Routes {
		errs = append(errs, b.set(routeKey(r.Village, r.Group), r))
	}
	for _, v := range d.Visits {
		errs = append(errs, b.set(visitKey(v.Village, v.ID), v))
		b.count("visit", v.Village, v.ID)
	}
	for _, c := range d.Concerns {
		errs = append(errs, b.set(concernKey(c.Village, c.ID), c))
		b.count("concern", c.Village, c.ID)
	}
	for _, r := range d.Revisits {
		errs = append(errs, b.set(revisitKey(r.Village, r.ID), r))
		b.count("revisit", r.Village, r.ID)
	}
	for k, n := range map[string]int{"villages": len(d.Villages), "grids": len(d.Grids), "households": len(d.Households),
		"members": len(d.Members), "cadres": len(d.Cadres), "officials": len(d.Officials), "projects": len(d.Projects), "teams": len(d.Teams), "groups": len(d.Groups),
		"routes": len(d.Routes), "visits": len(d.Visits), "concerns": len(d.Concerns), "revisits": len(d.Revisits)} {
		b.counts[k] += n
	}
	return errors.Join(errs...)
}

// AddAudit writes a past audit event (a generated history) with the next sequence number.
func (b *BulkLoader) AddAudit(ctx context.Context, ev AuditEvent) error {
	seq, err := b.s.nextAuditSeq(nil)
	if err != nil {
		return err
	}
	ev.Seq = seq
	b.audits++
	return b.set(auditKey(ev.Seq), ev)
}

// Finish flushes the batches, sets the counters, and writes the township row in an audited
// transaction with one event that counts what was loaded.
func (b *BulkLoader) Finish(ctx context.Context, t Township) error {
	defer b.release()
	for name, n := range b.seqs {
		if err := b.wb.Set([]byte("seq/"+name), fmt.Appendf(nil, "%d", n)); err != nil {
			return err
		}
	}
	if err := b.wb.Flush(); err != nil {
		return err
	}
	if b.audits > 0 {
		b.counts["audit"] = b.audits
	}
	counts := b.counts
	return b.s.update(ctx, b.a, func(tx *Tx) error {
		if err := tx.put("seed", townshipKey, nil, t, Change{Kind: "all"}); err != nil {
			return err
		}
		raw, _ := json.Marshal(counts)
		tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: b.a.Name, Action: "seed.counts", Key: townshipKey, After: raw})
		return nil
	})
}

// Cancel abandons what has not been flushed; harmless after Finish.
func (b *BulkLoader) Cancel() {
	b.wb.Cancel()
	b.release()
}
