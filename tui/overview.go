package tui

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/dates"
	"sanbai/ledgerio"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// overview is the 5 总览 pane: the township dashboard, the campaign calendar, what each village
// has filed, the inspection findings and the assessment.
type overview struct {
	c      *Common
	fs     *focus
	reload reloader
	w, h   int
	loaded bool
	err    error
	d      *overviewData
	view   int
	cur    [ovViews]views.Cursor
	// refusal is why a prompt's answer was not taken: the prompt stays open and shows it.
	refusal string
	// archive is a filed copy open read-only, as it was filed.
	archive *archiveView
	// finding is an inspection finding open in full, with the village's answer.
	finding *store.Inspection
}

// archiveView is one filed version of a village's report, read back from the frozen file.
type archiveView struct {
	village, kind string
	versions      int // how many versions there are
	f             store.Filing
	sheets        []ledgerio.Sheet
	err           error
	top           int // the first row shown
}

// archiveLoaded is a filed version read back.
type archiveLoaded struct {
	a archiveView
}

// The overview's views, cycled with v.
const (
	ovDashboard = iota
	ovCalendar
	ovFilings
	ovInspect
	ovScore
	ovViews
)

// reportOf names the ledgerio report each filing freezes.
var reportOf = map[string]string{"groups": "groups", "forms": "visits", "summary": "summary", "revisits": "revisits"}

// overviewData is what the pane shows, computed off the UI goroutine.
type overviewData struct {
	today    string
	villages []store.Village
	cal      store.Calendar
	filings  []filingRow
	history  map[string][]store.Filing // village/kind → versions
	findings []store.Inspection
	sheets   []store.ScoreSheet
	weights  store.Weights
	figures  map[string]store.Figures // per village
	total    store.Figures            // the actor's whole scope
	coverage []barRow
	tiers    map[store.Tier]int
	tags     map[store.Tag]int
	raised   []int // per day, the last 14 days
	resolved []int
	courses  []countRow
	common   *query.CommonList
	meetings []store.Meeting
	unmob    []string // grids with no grid-level meeting
	// missing are the records passed phases of the calendar lack (store.MissingRecords).
	missing  []store.Missing
	gridName map[string]string
	members  map[string][]store.Member
}

// filingRow is a village's required filing: the latest version, or none yet.
type filingRow struct {
	village, kind string
	due           string
	latest        *store.Filing
	versions      int
}

type barRow struct {
	name      string
	done, all int
}

type countRow struct {
	name string
	n    int
}

type overviewLoaded struct {
	d   *overviewData
	err error
}

// markConcernsMsg asks the Queue pane to mark concerns (a proposed lead project).
type markConcernsMsg struct{ ids []string }

func newOverview(c *Common, fs *focus) *overview { return &overview{c: c, fs: fs} }

func (o *overview) setCommon(c *Common) { o.c = c }

func (o *overview) Init() tea.Cmd { return o.reload.want(func() tea.Cmd { return o.load() }) }

func (o *overview) load() tea.Cmd {
	c := o.c
	return func() tea.Msg {
		// One per scope and store version for the whole server, never changed once made.
		d, err := sharedOverviewOf(c.Ctx, c.Shared, c.Store, c.Ledger, c.Actor)
		return overviewLoaded{d: d, err: err}
	}
}

// loadOverview reads the pane's data: the read model (query.LoadOverviewWith), as the pane
// holds it. A township's counts are summed from each village's, kept in sh until a change in
// that village: after a triage one village is counted again, not the county.
func loadOverview(ctx context.Context, sh *query.Shared, st store.Engine, l *query.Ledger, a store.Actor) (*overviewData, error) {
	// The base (calendar, filings, meetings…) is kept across the concerns' changes too.
	base, err := query.GetShared(ctx, sh, sharedOverviewBase, a, func() (*query.OverviewBase, error) {
		return query.LoadOverviewBase(ctx, st, a)
	})
	if err != nil {
		return nil, err
	}
	q, err := query.SumOverview(base, a, func(va store.Actor) (*query.OverviewCounts, error) {
		if va == a {
			return query.CountOverview(ctx, st, l, a)
		}
		return query.GetShared(ctx, sh, sharedOverviewPart, va, func() (*query.OverviewCounts, error) {
			return query.CountOverview(ctx, st, l, va)
		})
	})
	if err != nil {
		return nil, err
	}
	d := &overviewData{today: q.Today, villages: q.Villages, cal: q.Cal, history: q.History, findings: q.Findings,
		sheets: q.Sheets, weights: q.Weights, figures: q.Figures, total: q.Total, tiers: q.Tiers, tags: q.Tags,
		raised: q.Raised, resolved: q.Resolved, meetings: q.Meetings, unmob: q.Unmobilized, missing: q.Missing,
		gridName: q.GridName, members: q.Members, common: q.Common}
	for _, f := range q.Filings {
		d.filings = append(d.filings, filingRow{village: f.Village, kind: f.Kind, due: f.Due, latest: f.Latest, versions: f.Versions})
	}
	for _, b := range q.Coverage {
		d.coverage = append(d.coverage, barRow{name: b.Name, done: b.Done, all: b.All})
	}
	for _, c := range q.Courses {
		d.courses = append(d.courses, countRow{name: c.Name, n: c.N})
	}
	return d, nil
}

func (o *overview) SetSize(w, h int) { o.w, o.h = w, h }

// Capturing is true while a prompt or the filing question is open: the question takes only
// its own answers, and no key behind it may switch panes or quit.
func (o *overview) Capturing() bool { return false }

// settling is true until the first load is in: keys typed before wait for the lists.
func (o *overview) settling() bool { return !o.loaded }

func (o *overview) rows() int {
	switch o.view {
	case ovCalendar:
		return len(store.Phases())
	case ovFilings:
		return len(o.d.filings)
	case ovInspect:
		return len(o.d.findings)
	case ovScore:
		return len(o.d.sheets)
	}
	return o.d.common.Len()
}

// Update handles a message; a finished load lets the next one asked for start.
func (o *overview) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	if _, ok := msg.(overviewLoaded); ok {
		after = o.reload.done(func() tea.Cmd { return o.load() })
	}
	return tea.Batch(o.update(msg), after)
}

func (o *overview) update(msg tea.Msg) tea.Cmd {
	k := o.c.Keys
	switch msg := msg.(type) {
	case overviewLoaded:
		o.loaded, o.err = true, msg.err
		if msg.err == nil {
			o.d = msg.d
			for v := range ovViews {
				saved := o.view
				o.view = v
				o.cur[v].SetLen(o.rows())
				o.view = saved
			}
		}
		return nil
	case archiveLoaded:
		if o.archive != nil && o.archive.village == msg.a.village && o.archive.kind == msg.a.kind {
			a := msg.a
			o.archive = &a
		}
		return nil
	case ChangedMsg:
		if msg.touches("concern", "visit", "filing", "inspect", "calendar", "settings", "revisit", "household") {
			return o.reload.want(func() tea.Cmd { return o.load() })
		}
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case o.archive != nil:
		return o.archiveKey(km)
	case o.finding != nil:
		if key.Matches(km, k.Back, k.Open) {
			o.finding = nil
		}
		return nil
	}
	// The view can be chosen before the data is in; the cursors are sized when it arrives.
	if key.Matches(km, k.RevisitView) && o.d == nil {
		o.view = (o.view + 1) % ovViews
		return nil
	}
	if o.d == nil {
		return nil
	}
	cur := &o.cur[o.view]
	if moveKeys(k, km, cur, o.h-5) {
		return nil
	}
	switch {
	case key.Matches(km, k.RevisitView):
		o.view = (o.view + 1) % ovViews
		o.cur[o.view].SetLen(o.rows())
	case key.Matches(km, k.Back):
		o.view = ovDashboard
	case key.Matches(km, k.Open):
		switch {
		case o.view == ovDashboard && cur.Pos < o.d.common.Len():
			ids := o.d.common.Window(cur.Pos, cur.Pos+1)[0].IDs
			return func() tea.Msg { return markConcernsMsg{ids: ids} }
		case o.view == ovFilings && cur.Pos < len(o.d.filings):
			row := o.d.filings[cur.Pos]
			if row.latest == nil {
				return status(o.c.T("ov.nofiled"), false)
			}
			return o.openArchive(row.village, row.kind, 0)
		case o.view == ovInspect && cur.Pos < len(o.d.findings):
			f := o.d.findings[cur.Pos]
			o.finding = &f
		}
	case key.Matches(km, k.RevisitDue):
		if o.view == ovCalendar {
			if o.c.Actor.Role != store.RoleTownship {
				return status(o.c.T("rf.township"), true)
			}
			p := store.Phases()[cur.Pos]
			o.ask("phase", fmt.Sprintf(o.c.T("ov.ask.phase"), o.c.T("ph."+p)), o.d.cal.Township[p])
		}
	case key.Matches(km, k.Meeting) && o.view == ovCalendar:
		if o.c.Actor.Role == store.RoleInspector {
			return status(o.c.T("err.readonly"), true)
		}
		o.ask("meeting", o.c.T("ov.ask.meeting"), "")
	case key.Matches(km, k.FileReport):
		if o.view == ovFilings && cur.Pos < len(o.d.filings) {
			if o.c.Actor.Role == store.RoleInspector || o.c.Actor.Role == store.RoleGrid {
				return status(o.c.T("ov.file.who"), true)
			}
			row := o.d.filings[cur.Pos]
			q := fmt.Sprintf(o.c.T("ov.ask.file"), o.villageName(row.village), o.c.T("fk."+row.kind))
			if row.latest != nil {
				q = fmt.Sprintf(o.c.T("ov.ask.refile"), o.villageName(row.village), o.c.T("fk."+row.kind), row.versions+1)
			}
			// A filing is frozen for good, so F asks first: y files, n or esc drops it.
			o.fs.push(paneOverview, choose(o.c, o.fs, q,
				choice{keys: []string{"y"}, label: o.c.T("ov.key.yes"), do: func() tea.Cmd { return o.file(row) }},
				choice{keys: []string{"n", "esc"}, label: o.c.T("ov.key.no"), do: func() tea.Cmd {
					o.fs.say(o.c.T("q.cancelled"), false)
					return nil
				}}))
		}
	case key.Matches(km, k.New):
		if o.view == ovInspect {
			if o.c.Actor.Role != store.RoleInspector && o.c.Actor.Role != store.RoleTownship {
				return status(o.c.T("ov.inspectors"), true)
			}
			o.ask("finding", o.c.T("ov.ask.finding"), "")
		}
	case key.Matches(km, k.Resolve):
		if o.view == ovInspect && cur.Pos < len(o.d.findings) {
			if r := o.c.Actor.Role; r == store.RoleInspector || r == store.RoleGrid {
				return status(o.c.storeWords(&store.RuleError{Code: "answer.who"}), true)
			}
			o.ask("answer", o.c.T("ov.ask.answer"), "")
		}
	case key.Matches(km, k.Weights):
		if o.view == ovScore {
			if o.c.Actor.Role != store.RoleTownship {
				return status(o.c.T("rf.township"), true)
			}
			var parts []string
			for _, p := range store.ScoreParts() {
				parts = append(parts, fmt.Sprintf("%s=%g", o.c.T("wp."+p), o.d.weights[p]))
			}
			o.ask("weights", o.c.T("ov.ask.weights"), strings.Join(parts, " "))
		}
	}
	return nil
}

// openArchive reads a filed version back from the store, as it was filed (version 0: the
// latest). The versions are counted in the store, not taken from the pane's list, which a
// filing just made may not have reached yet.
func (o *overview) openArchive(village, kind string, version int) tea.Cmd {
	o.archive = &archiveView{village: village, kind: kind, f: store.Filing{Version: version}}
	c := o.c
	return func() tea.Msg {
		a := archiveView{village: village, kind: kind}
		fs, err := c.Store.FilingsOf(c.Ctx, c.Actor)
		for _, f := range fs {
			if f.Village == village && f.Kind == kind {
				a.versions = max(a.versions, f.Version)
			}
		}
		if version == 0 {
			version = a.versions
		}
		var data []byte
		if err == nil {
			data, a.f, err = c.Store.FiledData(c.Ctx, c.Actor, village, kind, version)
		}
		if err == nil {
			a.sheets, err = ledgerio.FiledSheets(data)
		}
		a.err = err
		return archiveLoaded{a: a}
	}
}

// archiveKey reads a filed copy: the list keys scroll it, ←/→ step through its versions, esc
// closes it. Nothing in it can be changed.
func (o *overview) archiveKey(km tea.KeyPressMsg) tea.Cmd {
	k, a := o.c.Keys, o.archive
	rows := 0
	if len(a.sheets) > 0 {
		rows = len(a.sheets[0].Rows)
	}
	page := max(o.h-4, 1)
	switch {
	case key.Matches(km, k.Back):
		o.archive = nil
	case key.Matches(km, k.Down):
		a.top = min(a.top+1, max(rows-page, 0))
	case key.Matches(km, k.Up):
		a.top = max(a.top-1, 0)
	case key.Matches(km, k.PageDown):
		a.top = min(a.top+page, max(rows-page, 0))
	case key.Matches(km, k.PageUp):
		a.top = max(a.top-page, 0)
	case key.Matches(km, k.Left) && a.f.Version > 1:
		return o.openArchive(a.village, a.kind, a.f.Version-1)
	case key.Matches(km, k.Right) && a.f.Version < a.versions:
		return o.openArchive(a.village, a.kind, a.f.Version+1)
	}
	return nil
}

// file builds the report as it stands and files it, frozen with its checksum.
func (o *overview) file(row filingRow) tea.Cmd {
	c := o.c
	return func() tea.Msg {
		data, err := ledgerio.Load(c.Ctx, c.Store, c.Actor, row.village)
		if err != nil {
			return statusMsg{text: c.storeWords(err), err: true}
		}
		rep, err := ledgerio.Build(data, reportOf[row.kind])
		if err != nil {
			return statusMsg{text: c.storeWords(err), err: true}
		}
		var buf bytes.Buffer
		if err := ledgerio.Write(&buf, rep, "xlsx"); err != nil {
			return statusMsg{text: c.storeWords(err), err: true}
		}
		f, err := c.Store.FileReport(c.Ctx, c.Actor, row.village, row.kind, "xlsx", buf.Bytes())
		if err != nil {
			return statusMsg{text: c.storeWords(err), err: true}
		}
		late := ""
		if f.Late {
			late = c.T("ov.late")
		}
		return statusMsg{text: fmt.Sprintf(c.T("ov.filed"), row.village, c.T("fk."+row.kind), f.Version, f.SHA256[:12], late)}
	}
}

// refuse keeps the prompt open with why its answer was not taken (see ask).
func (o *overview) refuse(why string) tea.Cmd {
	o.refusal = why
	return nil
}

// ask opens a prompt whose answer answer carries out.
func (o *overview) ask(kind, label, initial string) {
	o.fs.push(paneOverview, askFor(o.c, o.fs, label, initial, nil, func(val string) (tea.Cmd, string) {
		cmd := o.answer(kind, val)
		why := o.refusal
		o.refusal = ""
		return cmd, why
	}))
}

// answer carries out a prompt's request.
func (o *overview) answer(kind, val string) tea.Cmd {
	c := o.c
	cur := o.cur[o.view].Pos
	switch kind {
	case "phase":
		p := store.Phases()[cur]
		d := strings.TrimSpace(val)
		if d != "" {
			// A phase's day may be corrected after it passed: any day, this year's unless
			// the year is written.
			var err error
			if d, err = dates.Parse(val, c.Store.Now(), dates.Window{}); err != nil {
				return o.refuse(c.storeWords(err))
			}
		}
		return func() tea.Msg {
			if err := c.Store.SetPhaseDeadline(c.Ctx, c.Actor, "", p, d); err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("ov.phase.set"), c.T("ph."+p), d)}
		}
	case "finding":
		// 新村 / 检查内容 / 发现的问题 / 整改时限
		parts := strings.Split(val, "/")
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		village := strings.TrimSpace(parts[0])
		for _, v := range o.d.villages {
			if v.Name == village || strings.TrimSuffix(v.Name, "新村") == village {
				village = v.Code
			}
		}
		f := store.Inspection{Village: strings.ToUpper(village), Checked: strings.TrimSpace(parts[1]), Problems: strings.TrimSpace(parts[2])}
		if d := strings.TrimSpace(parts[3]); d != "" {
			dd, err := parseDeadline(d, c.Store.Now())
			if err != nil {
				return o.refuse(c.storeWords(err))
			}
			f.FollowUp = dd
		}
		return func() tea.Msg {
			got, err := c.Store.RecordFinding(c.Ctx, c.Actor, f)
			if err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("ov.finding.done"), got.ID)}
		}
	case "meeting":
		m, err := o.parseMeeting(val)
		if err != "" {
			return o.refuse(err)
		}
		return func() tea.Msg {
			got, err := c.Store.RecordMeeting(c.Ctx, c.Actor, m)
			if err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("ov.meeting.done"), got.Date, got.Led, len(got.Attended))}
		}
	case "answer":
		f := o.d.findings[cur]
		return func() tea.Msg {
			if _, err := c.Store.AnswerFinding(c.Ctx, c.Actor, f.Village, f.ID, val); err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("ov.answered"), f.ID)}
		}
	case "weights":
		// Parts by their name in either language, or their code.
		var names []string
		byName := map[string]string{}
		for _, p := range store.ScoreParts() {
			names = append(names, c.T("wp."+p))
			byName[p], byName[tr("zh", "wp."+p)], byName[tr("en", "wp."+p)] = p, p, p
		}
		bad := fmt.Sprintf(c.T("ov.bad.weights"), strings.Join(names, c.T("q.sep")))
		w := store.Weights{}
		for _, kv := range strings.Fields(strings.ReplaceAll(val, "＝", "=")) {
			k, v, ok := strings.Cut(kv, "=")
			var x float64
			if _, err := fmt.Sscanf(v, "%g", &x); !ok || err != nil || byName[k] == "" {
				return o.refuse(bad)
			}
			w[byName[k]] = x
		}
		return func() tea.Msg {
			if err := c.Store.SetScoreWeights(c.Ctx, c.Actor, w); err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: c.T("ov.weights.set")}
		}
	}
	return nil
}

func (o *overview) View() string {
	st := o.c.Styles
	switch {
	case !o.loaded:
		return " " + o.c.T("loading")
	case o.err != nil:
		return " " + st.Error.Render(o.c.storeWords(o.err))
	case o.archive != nil:
		return o.archiveScreen()
	case o.finding != nil:
		return o.findingScreen()
	}
	var tabs []string
	for i := range ovViews {
		l := o.c.T(fmt.Sprintf("ov.view.%d", i))
		if i == o.view {
			l = st.PaneActive.Render("[" + l + "]")
		}
		tabs = append(tabs, l)
	}
	lines := []string{" " + strings.Join(tabs, " ") + st.Muted.Render("  (v)"), st.HRule(o.w)}
	switch o.view {
	case ovDashboard:
		lines = append(lines, o.dashboard()...)
	default:
		t := o.table()
		lines = append(lines, t.Header(st, o.w))
		if o.rows() == 0 {
			lines = append(lines, " "+o.c.T("empty"))
		}
		from, to := o.cur[o.view].Window(o.h - 4)
		lines = append(lines, t.Lines(st, o.w, from, to, o.cur[o.view].Pos)...)
		if o.view == ovCalendar {
			lines = append(lines, o.meetingLines()...)
		}
	}
	if len(lines) > o.h {
		lines = lines[:o.h]
	}
	return strings.Join(lines, "\n")
}

// parseMeeting reads "级别 代码 日期 主持人 [明白纸份数] / 参加党员…", e.g.
// "格 DL03 2026-11-16 王强 30 / 张三 李四": the level (镇, 村 or 格), the village or grid code
// (none for the township), the date, who led it, the fact sheets handed out, and who attended.
func (o *overview) parseMeeting(val string) (store.Meeting, string) {
	head, who, _ := strings.Cut(val, "/")
	f := strings.Fields(head)
	bad := o.c.T("ov.bad.meeting")
	if len(f) < 3 {
		return store.Meeting{}, bad
	}
	m := store.Meeting{}
	switch f[0] {
	case "镇", "township":
		m.Level = "township"
		f = append(f[:1], append([]string{""}, f[1:]...)...)
	case "村", "新村", "village":
		m.Level, m.Village = "village", strings.ToUpper(f[1])
	case "格", "网格", "grid":
		m.Level, m.Grid = "grid", strings.ToUpper(f[1])
		m.Village = ConcernVillageOf(m.Grid)
	default:
		return store.Meeting{}, bad
	}
	if len(f) < 4 {
		return store.Meeting{}, bad
	}
	// The day it was held: today or before, this year's unless the year is written.
	d, err := dates.Past(f[2], o.c.Store.Now(), "")
	if err != nil {
		return store.Meeting{}, o.c.storeWords(err)
	}
	m.Date, m.Led = d, f[3]
	if len(f) > 4 {
		fmt.Sscanf(f[4], "%d", &m.FactSheets)
	}
	for _, name := range strings.Fields(who) {
		for _, mb := range o.d.members[m.Village] {
			if mb.Name == name && (m.Level != "grid" || mb.Grid == m.Grid) {
				m.Attended = append(m.Attended, mb.ID)
				break
			}
		}
	}
	return m, ""
}

// dashboard draws coverage bars, the concerns by tier and colour, the trend of the last two
// weeks, the night-school wishes and the common issues found.
func (o *overview) dashboard() []string {
	st, d := o.c.Styles, o.d
	var out []string
	half := max(o.w/2-1, 20)
	out = append(out, " "+st.Heading.Render(o.c.T("ov.coverage")))
	// The bars leave the screen's lower half to the figures below them: with more villages
	// (a county's hundreds) than fit, the ones furthest behind are shown, in their order,
	// and the rest are counted. Drawing every bar on every frame was most of a county
	// session's frame, and pushed the figures off the screen.
	bars := d.coverage
	if fit := max(o.h/2-2, 3); len(bars) > fit {
		bars = behind(bars, fit-1)
	}
	for _, b := range bars {
		out = append(out, " "+views.Fit(b.name, 10)+" "+st.Bar(b.done, b.all, max(half-22, 5))+" "+
			views.FitRight(store.PercentText(b.done, b.all), 4)+fmt.Sprintf(" %d/%d", b.done, b.all))
	}
	if n := len(d.coverage) - len(bars); n > 0 {
		out = append(out, st.Muted.Render(" "+fmt.Sprintf(o.c.T("ov.coverage.more"), n)))
	}
	var tiers, tags []string
	for _, t := range store.Tiers() {
		tiers = append(tiers, fmt.Sprintf("%s %d", o.c.T("tier."+string(t)), d.tiers[t]))
	}
	tags = append(tags, st.Red.Render(fmt.Sprintf("%s %d", o.c.T("tag.red"), d.tags[store.TagRed])),
		st.Yellow.Render(fmt.Sprintf("%s %d", o.c.T("tag.yellow"), d.tags[store.TagYellow])),
		st.Green.Render(fmt.Sprintf("%s %d", o.c.T("tag.green"), d.tags[store.TagGreen])))
	out = append(out, " "+st.Heading.Render(o.c.T("ov.open"))+" "+strings.Join(tiers, " ")+"  "+strings.Join(tags, " "))
	// The figures the township chases, and the four rates, as every pane and export counts
	// them.
	tot := d.total
	out = append(out, views.Cut(" "+st.Overdue.Render(fmt.Sprintf(o.c.T("ov.chase"), tot.Overdue, tot.Supervised, tot.Problems, tot.Extensions)), o.w))
	out = append(out, views.Cut(" "+fmt.Sprintf(o.c.T("rv.rates4"), store.PercentText(tot.Responded, tot.Concerns),
		store.PercentText(tot.OnTime, tot.Due), store.PercentText(tot.Revisited, tot.Resolved), store.PercentText(tot.Satisfied, tot.Revisited)), o.w))
	out = append(out, " "+st.Heading.Render(o.c.T("ov.trend"))+" "+o.c.T("ov.raised")+" "+views.Spark(d.raised, st.ASCII)+
		fmt.Sprintf(" %d", sum(d.raised))+"  "+o.c.T("ov.resolved")+" "+views.Spark(d.resolved, st.ASCII)+fmt.Sprintf(" %d", sum(d.resolved)))
	var cs []string
	for i, c := range d.courses {
		if i == 5 {
			break
		}
		cs = append(cs, fmt.Sprintf("%s %d", c.name, c.n))
	}
	out = append(out, views.Cut(" "+st.Heading.Render(o.c.T("ov.courses"))+" "+strings.Join(cs, "  "), o.w))
	out = append(out, " "+st.Heading.Render(o.c.T("ov.common")))
	if d.common.Len() == 0 {
		out = append(out, "   "+o.c.T("empty"))
	}
	room := max(o.h-len(out)-3, 1)
	from, to := o.cur[ovDashboard].Window(room)
	// Only the rows on screen are built: a county has thousands of candidates.
	t := views.Table{Columns: []views.Column{{Width: 8}, {}, {Width: 10}}}
	for _, ci := range d.common.Window(from, to) {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(ci.Category), views.T(ci.Text),
			views.T(fmt.Sprintf(o.c.T("ov.households"), ci.Households))}})
	}
	return append(out, t.Lines(st, o.w, 0, len(t.Rows), o.cur[ovDashboard].Pos-from)...)
}

// behind returns the n bars furthest behind (lowest share done, then fewest done), in the
// order they came in.
func behind(bars []barRow, n int) []barRow {
	idx := make([]int, len(bars))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := bars[idx[i]], bars[idx[j]]
		// a.done/a.all < b.done/b.all, without division (all > 0 for every bar).
		if x, y := a.done*b.all, b.done*a.all; x != y {
			return x < y
		}
		return a.done < b.done
	})
	idx = idx[:n]
	sort.Ints(idx)
	out := make([]barRow, n)
	for i, k := range idx {
		out[i] = bars[k]
	}
	return out
}

// villageName names a village by its code.
func (o *overview) villageName(code string) string {
	for _, v := range o.d.villages {
		if v.Code == code {
			return v.Name
		}
	}
	return code
}

// archiveScreen shows a filed copy as it was filed: which version, when, by whom, its
// checksum, and its first sheet's rows, read-only.
func (o *overview) archiveScreen() string {
	st, a := o.c.Styles, o.archive
	title := fmt.Sprintf(o.c.T("ov.archive.title"), o.villageName(a.village), o.c.T("fk."+a.kind), a.f.Version, a.versions)
	lines := []string{" " + st.Title.Render(views.Cut(title, o.w-1))}
	switch {
	case a.err != nil:
		return strings.Join(append(lines, " "+st.Error.Render(o.c.storeWords(a.err))), "\n")
	case a.sheets == nil:
		return strings.Join(append(lines, " "+o.c.T("loading")), "\n")
	}
	late := o.c.T("ov.ontime")
	if a.f.Late {
		late = o.c.T("ov.late")
	}
	sum := a.f.SHA256
	if len(sum) > 12 {
		sum = sum[:12]
	}
	lines = append(lines, st.Muted.Render(views.Cut(" "+fmt.Sprintf(o.c.T("ov.archive.meta"), a.f.At.Format("2006-01-02 15:04"), a.f.By, late, sum), o.w)),
		st.HRule(o.w))
	rows := a.sheets[0].Rows
	// Columns as wide as their widest cell, up to a third of the screen; the screen shows
	// what fits from the left.
	var widths []int
	for _, r := range rows {
		if filled(r) < 2 {
			continue // the title row, merged across the table: it does not size a column
		}
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = min(max(widths[i], views.Width(cell)), max(o.w/3, 6))
		}
	}
	for _, r := range rows[min(a.top, len(rows)):min(a.top+max(o.h-4, 1), len(rows))] {
		var cells []string
		for i, cell := range r {
			if filled(r) < 2 {
				cells = append(cells, cell)
				continue
			}
			cells = append(cells, views.Pad(cell, widths[i]))
		}
		lines = append(lines, views.Cut(" "+strings.Join(cells, " "), o.w))
	}
	if len(lines) > o.h {
		lines = lines[:o.h]
	}
	return strings.Join(lines, "\n")
}

// filled counts a row's cells that hold something.
func filled(r []string) int {
	n := 0
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// findingScreen shows an inspection finding in full: what was checked and found, the
// follow-up date, and the village's answer — the inspector reads it here.
func (o *overview) findingScreen() string {
	st, f := o.c.Styles, o.finding
	lines := []string{" " + st.Title.Render(f.ID+"  "+o.villageName(f.Village)+"  "+f.Date+"  "+f.By), st.HRule(o.w)}
	add := func(label, text string) {
		if text == "" {
			return
		}
		for i, l := range views.Wrap(text, max(o.w-12, 10)) {
			head := views.Fit("", 10)
			if i == 0 {
				head = st.Heading.Render(views.Fit(label, 10))
			}
			lines = append(lines, " "+head+" "+l)
		}
	}
	add(o.c.T("ov.checked"), f.Checked)
	add(o.c.T("ov.problems"), f.Problems)
	add(o.c.T("q.deadline"), f.FollowUp)
	if f.Open() {
		lines = append(lines, " "+st.Warn.Render(o.c.T("ov.noanswer")))
	} else {
		add(o.c.T("ov.answer"), f.Answer)
		add(o.c.T("ov.answered.by"), f.AnsweredBy+" "+f.AnsweredAt.Format("2006-01-02 15:04"))
	}
	if len(lines) > o.h {
		lines = lines[:o.h]
	}
	return strings.Join(lines, "\n")
}

// missingLines warns, under the calendar, of each passed phase that lacks a record it
// requires: which meeting or filing, where.
func (o *overview) missingLines() []string {
	st := o.c.Styles
	var out []string
	byPhase := map[string][]string{}
	due := map[string]string{}
	for _, m := range o.d.missing {
		what := o.villageName(m.Village)
		switch {
		case m.Village == "":
			what = o.c.T("ov.miss.township")
		case m.Grid != "":
			what = strings.TrimSuffix(o.villageName(m.Village), "新村") + o.d.gridName[m.Grid]
		case m.Filing != "":
			what = fmt.Sprintf(o.c.T("ov.miss.filing"), what, o.c.T("fk."+m.Filing))
		}
		byPhase[m.Phase] = append(byPhase[m.Phase], what)
		due[m.Phase] = m.Due
	}
	for _, p := range store.Phases() {
		if len(byPhase[p]) == 0 {
			continue
		}
		out = append(out, st.Overdue.Render(views.Cut(" ! "+fmt.Sprintf(o.c.T("ov.miss"), o.c.T("ph."+p), o.c.day(due[p]),
			strings.Join(byPhase[p], o.c.T("q.sep"))), o.w)))
	}
	return out
}

// meetingLines sums up the mobilization meetings and names the grids not yet mobilized.
func (o *overview) meetingLines() []string {
	st := o.c.Styles
	n := map[string]int{}
	sheets := 0
	for _, m := range o.d.meetings {
		n[m.Level]++
		sheets += m.FactSheets
	}
	out := []string{st.HRule(o.w), " " + st.Heading.Render(o.c.T("ov.meetings")) + " " +
		fmt.Sprintf(o.c.T("ov.meetings.n"), n["township"], n["village"], n["grid"], sheets)}
	if len(o.d.unmob) > 0 {
		out = append(out, st.Warn.Render(views.Cut(" "+o.c.T("ov.unmob")+" "+strings.Join(o.d.unmob, "、"), o.w)))
	}
	out = append(out, o.missingLines()...)
	return out
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// table builds the table of the calendar, filings, inspection or score view.
func (o *overview) table() views.Table {
	st, d := o.c.Styles, o.d
	var t views.Table
	vname := map[string]string{}
	for _, v := range d.villages {
		vname[v.Code] = v.Name
	}
	switch o.view {
	case ovCalendar:
		t.Columns = []views.Column{{Title: o.c.T("ov.phase")}, {Title: o.c.T("q.deadline"), Width: 10}, {Title: o.c.T("ov.state"), Width: 12}}
		village := o.c.Actor.Village
		cur, _ := d.cal.Current(village, d.today)
		lacking := map[string]bool{}
		for _, m := range d.missing {
			lacking[m.Phase] = true
		}
		for _, p := range store.Phases() {
			dl := d.cal.Deadline(village, p)
			state := views.T("")
			switch {
			case dl == "":
				state = views.T(o.c.T("ov.unset"))
			case p == cur:
				state = views.T(fmt.Sprintf(o.c.T("ov.now"), daysBetween(d.today, dl)))
			case lacking[p]:
				// Passed without the record it requires: said, not just "past".
				state = views.S(o.c.T("ov.norecord"), st.Overdue)
			case dl < d.today:
				state = views.T(o.c.T("ov.past"))
			}
			mark := ""
			if lacking[p] {
				mark = "!"
			}
			t.Rows = append(t.Rows, views.Row{Mark: mark, Cells: []views.Cell{views.T(o.c.T("ph." + p)), views.T(dl), state}})
		}
	case ovFilings:
		var dues []string
		for _, r := range d.filings {
			dues = append(dues, r.due)
		}
		t.Columns = []views.Column{{Title: o.c.T("r.village"), Width: 8}, {Title: o.c.T("ov.filing")}, {Title: o.c.T("q.deadline"), Width: o.c.dayWidth(dues...) + 1},
			{Title: o.c.T("ov.filed.at"), Width: 11}, {Title: o.c.T("ov.by"), Width: 6, HideBelow: 64}, {Title: o.c.T("ov.state"), Width: 8}}
		for _, r := range d.filings {
			at, by := "", ""
			state := views.T(o.c.T("ov.notyet"))
			if r.latest != nil {
				at, by = r.latest.At.Format("01-02 15:04"), r.latest.By
				state = views.T(o.c.T("ov.ontime"))
				if r.latest.Late {
					state = views.S(o.c.T("ov.late"), st.Warn)
				}
				if r.versions > 1 {
					at += fmt.Sprintf(" v%d", r.versions)
				}
			} else if r.due != "" && r.due < d.today {
				state = views.S(o.c.T("ov.missing"), st.Overdue)
			}
			t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(strings.TrimSuffix(vname[r.village], "新村")),
				views.T(o.c.T("fk." + r.kind)), views.T(o.c.day(r.due)), views.T(at), views.T(by), state}})
		}
	case ovInspect:
		var days, dues []string
		for _, f := range d.findings {
			days, dues = append(days, f.Date), append(dues, f.FollowUp)
		}
		t.Columns = []views.Column{{Title: o.c.T("q.id"), Width: 6}, {Title: o.c.T("v.date"), Width: o.c.dayWidth(days...)},
			{Title: o.c.T("ov.checked"), Width: 12}, {Title: o.c.T("ov.problems")}, {Title: o.c.T("q.deadline"), Width: o.c.dayWidth(dues...) + 1},
			{Title: o.c.T("ov.state"), Width: 10}}
		for _, f := range d.findings {
			state := views.S(o.c.T("ov.open.finding"), st.Warn)
			if !f.Open() {
				state = views.T(o.c.T("ov.answered.short"))
			}
			t.Rows = append(t.Rows, views.Row{Mark: map[bool]string{true: "!", false: ""}[f.Open()], Cells: []views.Cell{views.T(f.ID),
				views.T(o.c.day(f.Date)), views.T(f.Checked), views.T(f.Problems), views.T(o.c.day(f.FollowUp)), state}})
		}
	case ovScore:
		t.Columns = []views.Column{{Title: "#", Width: 2, Right: true}, {Title: o.c.T("r.village")}, {Title: o.c.T("ov.score"), Width: 5, Right: true}}
		for _, p := range []string{"coverage", "filings", "response", "ontime", "satisfied"} {
			t.Columns = append(t.Columns, views.Column{Title: o.c.T("sp." + p), Width: 6, Right: true, HideBelow: 60})
		}
		for i, s := range d.sheets {
			cells := []views.Cell{views.T(fmt.Sprint(i + 1)), views.T(vname[s.Village]), views.T(s.ScoreText())}
			for _, p := range []string{"coverage", "filings", "response", "ontime", "satisfied"} {
				cells = append(cells, views.T(s.PartText(p)))
			}
			t.Rows = append(t.Rows, views.Row{Cells: cells})
		}
	}
	return t
}

// relabel is a binding with this pane's own words for what its key does here: the overview
// borrows keys other panes also use (D, M, a, x), and its hint bar must say what they do on
// this pane, not there.
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// ovKeys are the overview's bindings, each labelled with what it does here.
type ovKeys struct {
	view, phase, meeting, file, open, archive, finding, record, answer, weights, versions, yes, no key.Binding
}

func (o *overview) keys() ovKeys {
	k := o.c.Keys
	return ovKeys{
		view:     relabel(k.RevisitView, o.c.T("ov.key.view")),
		phase:    relabel(k.RevisitDue, o.c.T("ov.key.phase")),
		meeting:  relabel(k.Meeting, o.c.T("ov.key.meeting")),
		file:     relabel(k.FileReport, o.c.T("ov.key.file")),
		open:     relabel(k.Open, o.c.T("ov.key.mark")),
		archive:  relabel(k.Open, o.c.T("ov.key.archive")),
		finding:  relabel(k.Open, o.c.T("ov.key.finding")),
		record:   relabel(k.New, o.c.T("ov.key.record")),
		answer:   relabel(k.Resolve, o.c.T("ov.key.answer")),
		weights:  relabel(k.Weights, o.c.T("ov.key.weights")),
		versions: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", o.c.T("ov.key.versions"))),
		yes:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", o.c.T("ov.key.yes"))),
		no:       key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", o.c.T("ov.key.no"))),
	}
}

// ShortHelp is the hint bar: the keys of the view on screen, in this pane's words.
func (o *overview) ShortHelp() []key.Binding {
	k, ok := o.c.Keys, o.keys()
	switch {
	case o.archive != nil:
		return []key.Binding{k.Up, k.Down, ok.versions, k.Back}
	case o.finding != nil:
		return []key.Binding{k.Back}
	}
	switch o.view {
	case ovDashboard:
		return []key.Binding{ok.view, k.Up, k.Down, ok.open}
	case ovCalendar:
		return []key.Binding{ok.view, ok.phase, ok.meeting}
	case ovFilings:
		return []key.Binding{ok.view, ok.file, ok.archive}
	case ovInspect:
		return []key.Binding{ok.view, ok.finding, ok.record, ok.answer}
	}
	return []key.Binding{ok.view, ok.weights}
}

// FullHelp is the pane's help: every key, in its words, and how figures are rounded.
func (o *overview) FullHelp() [][]key.Binding {
	k, ok := o.c.Keys, o.keys()
	return [][]key.Binding{{k.Up, k.Down, ok.view, k.Back, ok.open},
		{ok.phase, ok.meeting, ok.file, ok.archive, ok.versions, ok.finding, ok.record, ok.answer, ok.weights},
		{k.RateResponse, k.RateOnTime, k.RateRevisit, k.RateSatisfied, k.RateRounding}}
}
