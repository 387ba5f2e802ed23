package store

import (
	"math"
	"strings"
	"time"
)

// Packed is a lean concern (see Lean) in less than half the memory: what a county's shared
// ledger view holds of each of its 200,000 concerns. A Concern is 528 bytes of headers (23
// strings, four times, its slices) beside its text, and its History is allocated apart; packed,
// the strings lie back to back in one string with their ends beside it, and the times are
// nanoseconds. Concern gives the lean concern back, equal to the one packed. A concern that
// does not fit (text past 64 KiB, a time outside 1678–2261 or in a zone other than UTC and
// Local, a count past int32) is kept whole instead. The zero Packed is not a concern.
type Packed struct {
	text string
	ends [numPackedStrings]uint16
	// kinds holds two bits per time: zero, UTC or Local.
	kinds     uint16
	deadline  bool // Plan.DeadlineSet
	residents bool // Residents is not nil
	rev, ext  int32
	bounces   int32
	times     [numPackedTimes]int64 // UnixNano
	// full is the lean concern, when it does not fit the packed form; nil otherwise.
	full *Concern
}

// The strings of a packed concern, in the order they lie in its text.
const (
	psID = iota
	psVillage
	psGrid
	psHousehold
	psVisit
	psGroup
	psCategory
	psDescription
	psTag
	psTier
	psStatus
	psSolution
	psOwner
	psOwnerID
	psOwnerNote
	psDeadline
	psResolution
	psResolvedBy
	psSupervisor
	psProject
	psRevisitGroup
	psCreatedBy
	psDeadlineThen
	psResidents // joined by NUL, which cleaned text never holds
	numPackedStrings
)

// The times of a packed concern.
const (
	ptResolvedAt = iota
	ptNoticeAt
	ptCreatedAt
	ptHandedAt
	ptPlanned
	ptResolved
	numPackedTimes
)

// The kinds of a packed time.
const (
	timeZero = iota
	timeUTC
	timeLocal
)

// Pack returns the concern's packed form, leaving its moves out as Lean does.
func Pack(c Concern) Packed { return (*Packer)(nil).Pack(c) }

// Packer packs many concerns, their texts laid back to back in shared chunks of memory: one
// allocation per 256 KiB instead of one per concern, with no size-class slack between them. A
// chunk stays as long as any concern packed into it does. A Packer is for one goroutine; a
// nil Packer gives each concern a text of its own.
type Packer struct{ buf strings.Builder }

// packChunk is the size of a Packer's chunks.
const packChunk = 256 << 10

// Pack returns the concern's packed form (see the package function Pack).
func (k *Packer) Pack(c Concern) Packed {
	h := c.History()
	strs := [numPackedStrings]string{
		psID: c.ID, psVillage: c.Village, psGrid: c.Grid, psHousehold: c.Household, psVisit: c.Visit,
		psGroup: c.Group, psCategory: c.Category, psDescription: c.Description, psTag: string(c.Tag),
		psTier: string(c.Tier), psStatus: string(c.Status), psSolution: c.Plan.Solution,
		psOwner: c.Plan.Owner, psOwnerID: c.Plan.OwnerID, psOwnerNote: c.Plan.OwnerNote,
		psDeadline: c.Plan.Deadline, psResolution: c.Resolution, psResolvedBy: c.ResolvedBy,
		psSupervisor: c.Supervisor, psProject: c.Project, psRevisitGroup: c.RevisitGroup,
		psCreatedBy: c.CreatedBy, psDeadlineThen: h.DeadlineThen, psResidents: strings.Join(c.Residents, "\x00"),
	}
	times := [numPackedTimes]time.Time{
		ptResolvedAt: c.ResolvedAt, ptNoticeAt: c.NoticeAt, ptCreatedAt: c.CreatedAt,
		ptHandedAt: c.HandedAt, ptPlanned: h.Planned, ptResolved: h.Resolved,
	}
	whole := func() Packed {
		c.lean, c.Moves = &h, nil // Lean, with the history summed once
		return Packed{full: &c}
	}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	// Residents the join would not give back as they were (an empty list, a NUL in a name)
	// keep the concern whole.
	odd := c.Residents != nil && strings.Count(strs[psResidents], "\x00") != len(c.Residents)-1
	if odd || n > math.MaxUint16 || !fitsInt32(c.Rev) || !fitsInt32(c.Extensions) || !fitsInt32(h.Bounces) {
		return whole()
	}
	p := Packed{deadline: c.Plan.DeadlineSet, residents: c.Residents != nil, rev: int32(c.Rev),
		ext: int32(c.Extensions), bounces: int32(h.Bounces)}
	for i, t := range times {
		var kind uint16
		switch {
		case t.IsZero():
			continue
		case t.Year() < 1678 || t.Year() > 2261: // beyond UnixNano
			return whole()
		case t.Location() == time.UTC:
			kind = timeUTC
		case t.Location() == time.Local:
			kind = timeLocal
		default:
			return whole()
		}
		p.kinds |= kind << (2 * i)
		p.times[i] = t.UnixNano()
	}
	var buf *strings.Builder
	switch {
	case k == nil:
		buf = &strings.Builder{}
		buf.Grow(n)
	case k.buf.Cap()-k.buf.Len() < n:
		// A new chunk; the full one stays with the concerns packed into it. Growing it
		// instead would copy their texts and keep both copies.
		k.buf = strings.Builder{}
		k.buf.Grow(max(n, packChunk))
		fallthrough
	default:
		buf = &k.buf
	}
	start := buf.Len()
	for i, s := range strs {
		buf.WriteString(s)
		p.ends[i] = uint16(buf.Len() - start)
	}
	// The builder's String shares its buffer, and later writes go after this text: the
	// window stays as it is.
	p.text = buf.String()[start:]
	return p
}

// fitsInt32 reports whether n is a packed count.
func fitsInt32(n int) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// str is the packed string i.
func (p *Packed) str(i int) string {
	start := uint16(0)
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.text[start:p.ends[i]]
}

// time is the packed time i.
func (p *Packed) time(i int) time.Time {
	switch p.kinds >> (2 * i) & 3 {
	case timeUTC:
		return time.Unix(0, p.times[i]).UTC()
	case timeLocal:
		return time.Unix(0, p.times[i])
	}
	return time.Time{}
}

// Concern returns the lean concern packed. Its strings share the packed text: read only, like
// every concern the view hands out.
func (p *Packed) Concern() Concern {
	if p.full != nil {
		return *p.full
	}
	s := p.str
	var residents []string
	if p.residents {
		residents = strings.Split(s(psResidents), "\x00")
	}
	h := &History{Bounces: int(p.bounces), Planned: p.time(ptPlanned), Resolved: p.time(ptResolved),
		DeadlineThen: s(psDeadlineThen)}
	return Concern{
		ID: s(psID), Village: s(psVillage), Grid: s(psGrid), Household: s(psHousehold),
		Residents: residents, Visit: s(psVisit), Group: s(psGroup), Category: s(psCategory),
		Description: s(psDescription), Tag: Tag(s(psTag)), Tier: Tier(s(psTier)), Status: Status(s(psStatus)),
		Plan: Plan{Solution: s(psSolution), Owner: s(psOwner), OwnerID: s(psOwnerID), OwnerNote: s(psOwnerNote),
			Deadline: s(psDeadline), DeadlineSet: p.deadline},
		Resolution: s(psResolution), ResolvedBy: s(psResolvedBy), ResolvedAt: p.time(ptResolvedAt),
		Supervisor: s(psSupervisor), Project: s(psProject), RevisitGroup: s(psRevisitGroup),
		NoticeAt: p.time(ptNoticeAt), CreatedAt: p.time(ptCreatedAt), CreatedBy: s(psCreatedBy),
		Rev: int(p.rev), HandedAt: p.time(ptHandedAt), Extensions: int(p.ext), lean: h,
	}
}

// What the ledger view sorts, filters and counts by, read without unpacking.

// field is the string i, from the whole concern (whole) when it was kept whole.
func (p *Packed) field(i int, whole func(c *Concern) string) string {
	if p.full != nil {
		return whole(p.full)
	}
	return p.str(i)
}

// ID is the concern's ID.
func (p *Packed) ID() string { return p.field(psID, func(c *Concern) string { return c.ID }) }

// Village is the concern's village.
func (p *Packed) Village() string {
	return p.field(psVillage, func(c *Concern) string { return c.Village })
}

// Grid is the concern's grid.
func (p *Packed) Grid() string { return p.field(psGrid, func(c *Concern) string { return c.Grid }) }

// Category is the concern's category.
func (p *Packed) Category() string {
	return p.field(psCategory, func(c *Concern) string { return c.Category })
}

// Tag is the concern's tag.
func (p *Packed) Tag() Tag {
	return Tag(p.field(psTag, func(c *Concern) string { return string(c.Tag) }))
}

// Tier is the concern's tier.
func (p *Packed) Tier() Tier {
	return Tier(p.field(psTier, func(c *Concern) string { return string(c.Tier) }))
}

// Status is the concern's status.
func (p *Packed) Status() Status {
	return Status(p.field(psStatus, func(c *Concern) string { return string(c.Status) }))
}

// Owner is the owner's name in the concern's plan.
func (p *Packed) Owner() string {
	return p.field(psOwner, func(c *Concern) string { return c.Plan.Owner })
}

// Deadline is the plan's deadline, YYYY-MM-DD or "".
func (p *Packed) Deadline() string {
	return p.field(psDeadline, func(c *Concern) string { return c.Plan.Deadline })
}

// Supervisor is the township leader supervising the concern, or "".
func (p *Packed) Supervisor() string {
	return p.field(psSupervisor, func(c *Concern) string { return c.Supervisor })
}

// CreatedAt is when the concern was raised.
func (p *Packed) CreatedAt() time.Time {
	if p.full != nil {
		return p.full.CreatedAt
	}
	return p.time(ptCreatedAt)
}

// ProblemCase is Concern.ProblemCase, from the packed history.
func (p *Packed) ProblemCase() bool {
	if p.full != nil {
		return p.full.ProblemCase()
	}
	return int(p.bounces) >= ProblemThreshold
}

// Overdue is Concern.Overdue.
func (p *Packed) Overdue(today string) bool {
	d := p.Deadline()
	return p.Status().Open() && d != "" && d < today
}
