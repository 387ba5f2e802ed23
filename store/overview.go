package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"sanbai/clean"
	"sanbai/dates"
)

// Phases of the campaign (四、推进步骤 of the plan), in order. Each has a deadline set by the
// township, which a village may have overridden.
func Phases() []string {
	return []string{"mob.township", "mob.village", "mob.grid", "groups.filed", "visits.done", "revisits.done"}
}

// Filings returns the filing kinds the party-building office requires from each village, each
// with the phase whose deadline it is due by.
func Filings() map[string]string {
	return map[string]string{
		"groups":   "groups.filed",
		"forms":    "visits.done",
		"summary":  "visits.done",
		"revisits": "revisits.done",
	}
}

// FilingKinds lists the filings in the order they are due.
func FilingKinds() []string { return []string{"groups", "forms", "summary", "revisits"} }

// Calendar holds the phases' deadlines: the township's, and each village's overrides.
type Calendar struct {
	Township map[string]string            `json:"township"`
	Villages map[string]map[string]string `json:"villages,omitempty"`
}

// Deadline returns the deadline of a phase for a village ("" when none is set).
func (c Calendar) Deadline(village, phase string) string {
	if d := c.Villages[village][phase]; d != "" {
		return d
	}
	return c.Township[phase]
}

// Current returns the phase a village is in on a day — the first whose deadline is not past —
// and the days left to its deadline; "" when every deadline has passed or none is set.
func (c Calendar) Current(village, today string) (string, int) {
	for _, p := range Phases() {
		d := c.Deadline(village, p)
		if d != "" && d >= today {
			return p, daysFrom(today, d)
		}
	}
	return "", 0
}

func daysFrom(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

const calendarKey = "meta/calendar"

// Calendar returns the campaign calendar (every user reads it: it is the campaign's own).
func (s *Store) Calendar(ctx context.Context) (Calendar, error) {
	c := Calendar{Township: map[string]string{}, Villages: map[string]map[string]string{}}
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, calendarKey, &c)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if c.Township == nil {
		c.Township = map[string]string{}
	}
	if c.Villages == nil {
		c.Villages = map[string]map[string]string{}
	}
	return c, err
}

// SetPhaseDeadline sets a phase's deadline for the township (village "") or overrides it for
// one village (date "" removes the override); township users only.
func (s *Store) SetPhaseDeadline(ctx context.Context, a Actor, village, phase, date string) error {
	if a.Role != RoleTownship {
		return outOfScope("calendar.township")
	}
	if !slices.Contains(Phases(), phase) {
		return refuse("phase.unknown", phase)
	}
	if date != "" {
		if t, err := time.Parse(time.DateOnly, date); err != nil || t.Format(time.DateOnly) != date {
			return refuse("date.format", date)
		}
	}
	return s.update(ctx, a, func(tx *Tx) error {
		c := Calendar{Township: map[string]string{}, Villages: map[string]map[string]string{}}
		before, err := tx.get(calendarKey, &c)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if c.Township == nil {
			c.Township = map[string]string{}
		}
		if c.Villages == nil {
			c.Villages = map[string]map[string]string{}
		}
		switch {
		case village == "":
			c.Township[phase] = date
		case date == "":
			delete(c.Villages[village], phase)
		default:
			if c.Villages[village] == nil {
				c.Villages[village] = map[string]string{}
			}
			c.Villages[village][phase] = date
		}
		return tx.put("calendar.set", calendarKey, before, c, Change{Kind: "calendar", Village: village})
	})
}

// Filing is one filing of a report to the party-building office: the file as sent is kept
// with its checksum, so what the office received can always be shown again.
type Filing struct {
	Village string    `json:"village"`
	Kind    string    `json:"kind"`
	Version int       `json:"version"`
	Format  string    `json:"format"`
	Size    int       `json:"size"`
	SHA256  string    `json:"sha256"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Due     string    `json:"due,omitempty"`
	Late    bool      `json:"late"`
}

func filingKey(village, kind string, ver int) string {
	return fmt.Sprintf("filing/%s/%s/%03d", village, kind, ver)
}
func filingDataKey(village, kind string, ver int) string {
	return fmt.Sprintf("filingdata/%s/%s/%03d", village, kind, ver)
}

// FileReport files a village's report: the bytes are frozen in the store with their checksum,
// numbered after any earlier filing of the same kind (re-filing keeps the history), and marked
// on time or late against the calendar. Township users and the village's own users file.
func (s *Store) FileReport(ctx context.Context, a Actor, village, kind, format string, data []byte) (Filing, error) {
	if _, ok := Filings()[kind]; !ok {
		return Filing{}, refuse("filing.unknown", kind)
	}
	if a.Role == RoleGrid || a.Role == RoleInspector {
		return Filing{}, outOfScope("filing.who")
	}
	if err := a.CanChange(village, ""); err != nil {
		return Filing{}, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Filing{}, err
	}
	sum := sha256.Sum256(data)
	var f Filing
	err = s.update(ctx, a, func(tx *Tx) error {
		n, err := tx.nextSeq("filing/" + village + "/" + kind)
		if err != nil {
			return err
		}
		f = Filing{Village: village, Kind: kind, Version: int(n), Format: format, Size: len(data),
			SHA256: hex.EncodeToString(sum[:]), By: a.Name, At: tx.at, Due: cal.Deadline(village, Filings()[kind])}
		f.Late = f.Due != "" && tx.at.Format(time.DateOnly) > f.Due
		// The file itself is written beside its record; its audit event records the record.
		if err := tx.txn.Set([]byte(filingDataKey(village, kind, f.Version)), data); err != nil {
			return err
		}
		return tx.put("filing.file", filingKey(village, kind, f.Version), nil, f, Change{Kind: "filing", Village: village, ID: kind})
	})
	return f, err
}

// FilingsOf returns every filing in the actor's villages, oldest first per kind.
func (s *Store) FilingsOf(ctx context.Context, a Actor) ([]Filing, error) {
	return scan(ctx, s.db, a.villagePrefix("filing"), func(f *Filing) bool { return a.CanSee(f.Village, "") })
}

// FiledData returns a filed file and checks it against its checksum.
func (s *Store) FiledData(ctx context.Context, a Actor, village, kind string, version int) ([]byte, Filing, error) {
	if !a.CanSee(village, "") {
		return nil, Filing{}, ErrNotFound
	}
	var f Filing
	var data []byte
	err := s.db.View(ctx, func(txn KVTxn) error {
		if _, err := getJSON(txn, filingKey(village, kind, version), &f); err != nil {
			return err
		}
		item, err := txn.Get([]byte(filingDataKey(village, kind, version)))
		if err != nil {
			return err
		}
		data, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, f, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, f, refuse("filing.checksum", village, kind, strconv.Itoa(version))
	}
	return data, f, nil
}

// Inspection is an inspection finding (督查) about a village, shown to its users until answered.
type Inspection struct {
	ID         string    `json:"id"`
	Village    string    `json:"village"`
	Date       string    `json:"date"`
	Checked    string    `json:"checked"`
	Problems   string    `json:"problems"`
	FollowUp   string    `json:"follow_up,omitempty"` // deadline for the village's answer
	By         string    `json:"by"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Open reports whether the finding still waits for the village's answer.
func (f Inspection) Open() bool { return f.Answer == "" }

func findingKey(village, id string) string { return "inspect/" + village + "/" + id }

// Inspections returns the inspection findings of the actor's villages.
func (s *Store) Inspections(ctx context.Context, a Actor) ([]Inspection, error) {
	return scan(ctx, s.db, a.villagePrefix("inspect"), func(f *Inspection) bool { return a.CanSee(f.Village, "") })
}

// RecordFinding records an inspection finding; inspectors and township users only (the one
// thing inspectors write).
func (s *Store) RecordFinding(ctx context.Context, a Actor, f Inspection) (Inspection, error) {
	if a.Role != RoleInspector && a.Role != RoleTownship {
		return Inspection{}, outOfScope("finding.who")
	}
	f.Checked, f.Problems = clean.Text(f.Checked), clean.Text(f.Problems)
	if f.Checked == "" || f.Problems == "" {
		return Inspection{}, refuse("finding.empty")
	}
	if f.FollowUp != "" {
		if err := dates.CheckDeadline(f.FollowUp, s.now()); err != nil {
			return Inspection{}, err
		}
	}
	err := s.update(ctx, a, func(tx *Tx) error {
		var v Village
		if _, err := tx.get(villageKey(f.Village), &v); err != nil {
			return refuse("village.unknown", f.Village)
		}
		n, err := tx.nextSeq("inspect/" + f.Village)
		if err != nil {
			return err
		}
		f.ID = fmt.Sprintf("%s-I%02d", f.Village, n)
		f.By = a.Name
		if f.Date == "" {
			f.Date = tx.at.Format(time.DateOnly)
		}
		return tx.put("inspect.record", findingKey(f.Village, f.ID), nil, f, Change{Kind: "inspect", Village: f.Village, ID: f.ID})
	})
	return f, err
}

// AnswerFinding records the village's answer to a finding.
func (s *Store) AnswerFinding(ctx context.Context, a Actor, village, id, answer string) (Inspection, error) {
	answer = clean.Text(answer)
	if answer == "" {
		return Inspection{}, refuse("answer.empty")
	}
	if a.Role == RoleGrid || a.Role == RoleInspector {
		return Inspection{}, outOfScope("answer.who")
	}
	if err := a.CanChange(village, ""); err != nil {
		return Inspection{}, err
	}
	var f Inspection
	err := s.update(ctx, a, func(tx *Tx) error {
		before, err := tx.get(findingKey(village, id), &f)
		if err != nil {
			return err
		}
		f.Answer, f.AnsweredBy, f.AnsweredAt = answer, a.Name, tx.at
		return tx.put("inspect.answer", findingKey(village, id), before, f, Change{Kind: "inspect", Village: village, ID: id})
	})
	return f, err
}

// Score parts, in the order the score sheet shows them.
func ScoreParts() []string {
	return []string{"coverage", "filings", "response", "ontime", "revisit", "satisfied", "overdue", "supervised", "findings"}
}

// Weights are the township's weights per score part; equal to start with.
type Weights map[string]float64

const weightsKey = "meta/weights"

// ScoreWeights returns the weights (every part 1 until set).
func (s *Store) ScoreWeights(ctx context.Context) (Weights, error) {
	w := Weights{}
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, weightsKey, &w)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	for _, p := range ScoreParts() {
		if _, ok := w[p]; !ok {
			w[p] = 1
		}
	}
	return w, err
}

// SetScoreWeights sets the weights; township users only. Weights are 0 to 10.
func (s *Store) SetScoreWeights(ctx context.Context, a Actor, w Weights) error {
	if a.Role != RoleTownship {
		return outOfScope("weights.township")
	}
	for k, v := range w {
		if !slices.Contains(ScoreParts(), k) {
			return refuse("weights.part", k)
		}
		if v < 0 || v > 10 {
			return refuse("weights.range", k, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return s.update(ctx, a, func(tx *Tx) error {
		old := Weights{}
		before, err := tx.get(weightsKey, &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.put("weights.set", weightsKey, before, w, Change{Kind: "settings"})
	})
}

// ScoreInputs are what a village's score is computed from: its figures (CountFigures, the
// same every pane and export shows), its filings and its inspection findings.
type ScoreInputs struct {
	Figures
	FilingsDue, FiledOnTime int // filings whose deadline has passed, and those filed by it
	OpenFindings            int
}

// ScoreSheet is a village's assessment: each part's value (0–1), the weighted score
// (0–100), and the inputs, for showing each part as the same percentage the panes show.
type ScoreSheet struct {
	Village string
	Parts   map[string]float64
	Score   float64
	Inputs  ScoreInputs
}

// PartText writes a part as a whole percentage rounded half up, from its counts (Percent):
// "–" when the part has nothing to measure (it then counts as 1 in the score).
func (s ScoreSheet) PartText(part string) string {
	in := s.Inputs
	r := in.Rates
	switch part {
	case "coverage":
		return PercentText(in.Visited, in.Households)
	case "filings":
		return PercentText(in.FiledOnTime, in.FilingsDue)
	case "response":
		return PercentText(r.Responded, r.Concerns)
	case "ontime":
		return PercentText(r.OnTime, r.Due)
	case "revisit":
		return PercentText(r.Revisited, r.Resolved)
	case "satisfied":
		return PercentText(r.Satisfied, r.Revisited)
	case "overdue":
		return PercentText(in.Open-in.Overdue, in.Open)
	case "supervised":
		return PercentText(r.Concerns-in.Supervised, r.Concerns)
	case "findings":
		return PercentText(1, 1+in.OpenFindings)
	}
	return ""
}

// ScoreText writes the score with one decimal, rounded half up.
func (s ScoreSheet) ScoreText() string {
	return strconv.FormatFloat(math.Floor(s.Score*10+0.5)/10, 'f', 1, 64)
}

// Assess computes a village's score sheet. Each part is a fraction in 0–1 (1 is best; a part
// with nothing to measure counts as 1): coverage = households visited ÷ households; filings =
// due filings made on time ÷ filings due; the four rates; overdue = 1 − overdue ÷ open
// concerns; supervised = 1 − supervised ÷ concerns; findings = 1 ÷ (1 + open findings). The
// score is their weighted mean × 100.
func Assess(village string, in ScoreInputs, w Weights) ScoreSheet {
	frac := func(n, d int) float64 {
		if d == 0 {
			return 1
		}
		return float64(n) / float64(d)
	}
	r := in.Rates
	parts := map[string]float64{
		"coverage":   frac(in.Visited, in.Households),
		"filings":    frac(in.FiledOnTime, in.FilingsDue),
		"response":   frac(r.Responded, r.Concerns),
		"ontime":     frac(r.OnTime, r.Due),
		"revisit":    frac(r.Revisited, r.Resolved),
		"satisfied":  frac(r.Satisfied, r.Revisited),
		"overdue":    1 - frac(in.Overdue, in.Open)*boolf(in.Open > 0),
		"supervised": 1 - frac(in.Supervised, r.Concerns)*boolf(r.Concerns > 0),
		"findings":   1 / float64(1+in.OpenFindings),
	}
	total, weight := 0.0, 0.0
	for _, p := range ScoreParts() {
		total += w[p] * parts[p]
		weight += w[p]
	}
	sheet := ScoreSheet{Village: village, Parts: parts, Inputs: in}
	if weight > 0 {
		sheet.Score = 100 * total / weight
	}
	return sheet
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Rank orders score sheets best first (ties by village code).
func Rank(sheets []ScoreSheet) {
	sort.SliceStable(sheets, func(i, j int) bool {
		if sheets[i].Score != sheets[j].Score {
			return sheets[i].Score > sheets[j].Score
		}
		return sheets[i].Village < sheets[j].Village
	})
}

// Meeting is a mobilization meeting (动员会) held at township, village or grid level: who led
// it, which party members attended, how many fact sheets (明白纸) were handed out.
type Meeting struct {
	ID         string    `json:"id"`
	Level      string    `json:"level"` // township, village, grid
	Village    string    `json:"village,omitempty"`
	Grid       string    `json:"grid,omitempty"`
	Date       string    `json:"date"`
	Led        string    `json:"led"`
	Attended   []string  `json:"attended,omitempty"` // member IDs
	FactSheets int       `json:"fact_sheets,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

func meetingKey(m Meeting) string {
	v := m.Village
	if v == "" {
		v = "_"
	}
	return "meeting/" + v + "/" + m.ID
}

// Meetings returns the mobilization meetings the actor may see (township meetings included).
func (s *Store) Meetings(ctx context.Context, a Actor) ([]Meeting, error) {
	return scan(ctx, s.db, "meeting/", func(m *Meeting) bool {
		return m.Level == "township" || a.CanSee(m.Village, m.Grid)
	})
}

// RecordMeeting records a mobilization meeting; township meetings by township users, village
// and grid meetings by those who may change that village or grid.
func (s *Store) RecordMeeting(ctx context.Context, a Actor, m Meeting) (Meeting, error) {
	switch m.Level {
	case "township":
		if a.Role != RoleTownship {
			return Meeting{}, outOfScope("meeting.township")
		}
		m.Village, m.Grid = "", ""
	case "village":
		m.Grid = ""
		if err := a.CanChange(m.Village, ""); err != nil || a.Role == RoleGrid {
			return Meeting{}, outOfScope("meeting.village")
		}
	case "grid":
		if err := a.CanChange(m.Village, m.Grid); err != nil {
			return Meeting{}, err
		}
	default:
		return Meeting{}, refuse("meeting.level")
	}
	if _, err := time.Parse(time.DateOnly, m.Date); err != nil {
		return Meeting{}, refuse("meeting.date")
	}
	if m.Date > s.Today() {
		return Meeting{}, &dates.Error{Code: dates.CodeFuture, Input: m.Date, Date: m.Date, Limit: s.Today()}
	}
	m.Led = clean.Line(m.Led)
	if m.Led == "" {
		return Meeting{}, refuse("meeting.led")
	}
	err := s.update(ctx, a, func(tx *Tx) error {
		if m.Level == "grid" {
			if _, err := tx.get(gridKey(m.Village, m.Grid), &Grid{}); err != nil {
				return refuse("meeting.grid", m.Grid, m.Village)
			}
		}
		n, err := tx.nextSeq("meeting/" + m.Village)
		if err != nil {
			return err
		}
		m.ID = fmt.Sprintf("M%03d", n)
		m.By, m.At = a.Name, tx.at
		return tx.put("meeting.record", meetingKey(m), nil, m, Change{Kind: "calendar", Village: m.Village, ID: m.ID})
	})
	return m, err
}

// Unmobilized returns the codes of the grids (of the given grids) with no grid-level meeting.
func Unmobilized(grids []Grid, meetings []Meeting) []string {
	held := map[string]bool{}
	for _, m := range meetings {
		if m.Level == "grid" {
			held[m.Grid] = true
		}
	}
	var out []string
	for _, g := range grids {
		if !held[g.Code] {
			out = append(out, g.Code)
		}
	}
	sort.Strings(out)
	return out
}

// Missing is a record a phase of the calendar requires that is not there once the phase's
// deadline has passed: a mobilization meeting (of the township, a village or a grid), or a
// village's filing to the party-building office.
type Missing struct {
	Phase   string
	Due     string // the phase's deadline, for this village
	Village string // "" for the township's own meeting
	Grid    string // for a grid's meeting
	Filing  string // the filing kind; "" for a meeting
}

// MissingRecords lists what each passed phase lacks, phase by phase in calendar order: no
// township meeting after mob.township, villages and grids without their meeting after
// mob.village and mob.grid, villages without a filing whose phase has passed (Filings). Each
// village's own deadline (Calendar.Deadline) decides whether its phase has passed.
func MissingRecords(cal Calendar, today string, villages []Village, grids []Grid, meetings []Meeting, filings []Filing) []Missing {
	held := map[string]bool{} // level/village/grid
	for _, m := range meetings {
		held[m.Level+"/"+m.Village+"/"+m.Grid] = true
		if m.Level == "township" {
			held["township//"] = true
		}
	}
	filed := map[string]bool{}
	for _, f := range filings {
		filed[f.Village+"/"+f.Kind] = true
	}
	passed := func(village, phase string) (string, bool) {
		d := cal.Deadline(village, phase)
		return d, d != "" && d < today
	}
	var out []Missing
	for _, phase := range Phases() {
		switch phase {
		case "mob.township":
			if d, ok := passed("", phase); ok && !held["township//"] {
				out = append(out, Missing{Phase: phase, Due: d})
			}
		case "mob.village":
			for _, v := range villages {
				if d, ok := passed(v.Code, phase); ok && !held["village/"+v.Code+"/"] {
					out = append(out, Missing{Phase: phase, Due: d, Village: v.Code})
				}
			}
		case "mob.grid":
			for _, g := range grids {
				if d, ok := passed(g.Village, phase); ok && !held["grid/"+g.Village+"/"+g.Code] {
					out = append(out, Missing{Phase: phase, Due: d, Village: g.Village, Grid: g.Code})
				}
			}
		}
		for _, kind := range FilingKinds() {
			if Filings()[kind] != phase {
				continue
			}
			for _, v := range villages {
				if d, ok := passed(v.Code, phase); ok && !filed[v.Code+"/"+kind] {
					out = append(out, Missing{Phase: phase, Due: d, Village: v.Code, Filing: kind})
				}
			}
		}
	}
	return out
}
