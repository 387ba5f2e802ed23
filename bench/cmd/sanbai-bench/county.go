package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sanbai/bench"
)

// The county table (issue 19, part 4): sanbai-bench -county DIR (or -county new) measures the
// real `sanbai serve` on a county store with bench.MeasureCounty, then runs the in-process
// meeting replay (BenchmarkCountyMeeting) on the same county, and writes both between markers
// of their own, so that -only-county can refresh them without the rest.

const (
	countyBegin = "<!-- bench:county:begin -->"
	countyEnd   = "<!-- bench:county:end -->"
)

// countyPanes are a township session's panes: the key, and a text of the pane's first
// screen once its data is in (tui's words in Chinese, as the county's sessions show them).
var countyPanes = []bench.CountyPane{
	{Key: "1", Text: "覆盖"},   // routes: the coverage line
	{Key: "2", Text: "次走访"},  // visits: "共 N 次走访"
	{Key: "3", Text: "编号"},   // queue: the column header
	{Key: "4", Text: "响应率"},  // revisit: the rates line
	{Key: "5", Text: "走访覆盖"}, // overview: the coverage bars
}

// Targets of issue 19, part 4.
const (
	countyCPUTarget   = 50 * time.Millisecond  // CPU per triage keystroke, all sessions
	countyKeyTarget   = 50 * time.Millisecond  // other sessions' keys, p99
	countyOpenTarget  = 300 * time.Millisecond // each pane's first screen
	countyMoreTarget  = 20 << 10               // KiB a session that opened every pane holds beyond an idle one
	countyTotalTarget = 2 << 20                // KiB of RSS for the 50 sessions' server
)

// countyFlags are the county run's flags.
type countyFlags struct {
	dir, bin       string
	sessions, keys int
	meeting        bool
	noProbes       bool
}

// countyResults are the county run's figures, for the report.
type countyResults struct {
	real      *bench.CountyResult
	generated time.Duration // how long `sanbai demo --county` took, 0 for a given county
	// meeting holds BenchmarkCountyMeeting's metrics by unit (ms-cpu/change, ...), meetingErr
	// why there are none.
	meeting    map[string]float64
	meetingErr string
	machine    string
	load       [2]string // the load average before and after the run
	when       time.Time
	took       time.Duration
	args       string
}

// runCounty measures the county: a copy of cf.dir, or one generated for the run when cf.dir is
// "new", so the county given is left as it was (the run adds users and triages concerns).
func runCounty(cf countyFlags, args string) (*countyResults, error) {
	res := &countyResults{machine: bench.Machine(), when: time.Now(), args: args, load: [2]string{loadAvg()}}
	tmp, err := os.MkdirTemp("", "sanbai-county-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := cf.bin
	if bin == "" {
		// The harness runs from the module's root (`go run ./bench/cmd/sanbai-bench`), with the
		// GOWORK of the patched build when make runs it.
		bin = filepath.Join(tmp, "sanbai")
		log.Printf("county: building sanbai")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building sanbai: %v\n%s", err, out)
		}
	}
	dir := filepath.Join(tmp, "county")
	if cf.dir == "new" {
		log.Printf("county: generating one (sanbai demo --county)")
		start := time.Now()
		if out, err := exec.Command(bin, "demo", "--county", "--data", dir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("sanbai demo --county: %v\n%s", err, out)
		}
		res.generated = time.Since(start)
	} else {
		log.Printf("county: copying %s", cf.dir)
		if err := os.CopyFS(dir, os.DirFS(cf.dir)); err != nil {
			return nil, fmt.Errorf("copying the county: %w", err)
		}
	}
	res.real, err = bench.MeasureCounty(bench.CountyOptions{
		Bin: bin, Dir: dir, Tmp: tmp, Sessions: cf.sessions, Keys: cf.keys, NoProbes: cf.noProbes, W: 80, H: 24,
		Panes: countyPanes, Loading: "正在读取…", Quiet: 300 * time.Millisecond, IdleFor: 5 * time.Second,
		Logf: log.Printf,
	})
	// How the server started (its snapshots, its warm-up) explains the "right after start"
	// figures: its log's lines about them go into the harness's.
	if raw, rerr := os.ReadFile(filepath.Join(tmp, "serve.log")); rerr == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, "snapshot") || strings.Contains(line, "warmed") || strings.Contains(line, "loaded") {
				log.Printf("county: server: %s", line)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if cf.meeting {
		// After the server has stopped: the benchmark opens the same store, which one
		// process holds at a time.
		log.Printf("county: BenchmarkCountyMeeting")
		res.meeting, err = meetingBench(dir, cf.sessions)
		if err != nil {
			res.meetingErr = err.Error()
			log.Printf("county: BenchmarkCountyMeeting: %v", err)
		}
	} else {
		res.meetingErr = "not run (-county-meeting=false)"
	}
	res.took, res.load[1] = time.Since(res.when), loadAvg()
	return res, nil
}

// loadAvg is the machine's load average over 1, 5 and 15 minutes: the box is shared, and the
// times say as much about what else ran as about the server.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// meetingBench runs BenchmarkCountyMeeting on the county in dir with n sessions and returns
// its metrics by unit. The environment is the harness's, GOWORK included.
func meetingBench(dir string, n int) (map[string]float64, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkCountyMeeting$", "-benchtime", "1x", "-timeout", "60m", "./tui/")
	cmd.Env = append(os.Environ(), "SANBAI_COUNTY="+dir, "SANBAI_MEETING_SESSIONS="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, out)
	}
	return parseBench(out, "BenchmarkCountyMeeting")
}

// parseBench reads a benchmark's result line: its name, the iterations, then value–unit pairs.
func parseBench(out []byte, name string) (map[string]float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], name) {
			continue
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad metric %q in %q", f[i], sc.Text())
			}
			m[f[i+1]] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("no %s line in:\n%s", name, out)
}

// mib is KiB as MiB.
func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

// maxOf is the largest of ds, 0 when there are none.
func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// meanOf is the mean of ds, 0 when there are none.
func meanOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// markdown renders the county table.
func (c *countyResults) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	r := c.real
	gen := "a county given with -county, copied for the run"
	if c.generated > 0 {
		gen = fmt.Sprintf("a county generated for the run by `sanbai demo --county` in %s", c.generated.Round(time.Second))
	}
	p("Measured %s by `go run ./bench/cmd/sanbai-bench %s`, %s in all, on %s.\n\n",
		c.when.UTC().Format("2006-01-02 15:04 MST"), c.args, c.took.Round(time.Second), gen)
	p("- Machine: %s; load average %s before the run, %s after.\n", c.machine, c.load[0], c.load[1])
	p("- Real server: `sanbai serve` over the county, listening %s after it was started; %d township users (`sanbai user add --role township`, a key each), logged in with Go's x/crypto/ssh client at 80×24, one after another. The first, right after the server listened, stays on its first pane (the idle session); each of the other %d presses 2 to 5 after its first screen and then rests on one pane, spread evenly over the five.\n",
		ms(r.Listen), r.Sessions+1, r.Sessions)
	p("- A first screen is timed from the key (for pane 1, from dialling: it is the pane a login shows) to the virtual terminal showing the pane's tab marked, its data (a text of its own below the tab bar) and no 正在读取…, polled every millisecond.\n")
	p("- The meeting: a session resting on the queue (3) types %d tag keys (g, y or r, whichever differs from the selected row's tag; then j, unmeasured), each a change. For the even ones nothing else is typed and the server's CPU (utime + stime from /proc/PID/stat, in 10 ms ticks) is read from the key until every session's output has been still for 300 ms, less what the sitting sessions cost over that time (%.1f %% of a core, watched for 5 s before). During the odd ones, the %d sessions resting on a pane with a selected row (▸) get j and k in turn, one key at a time 5 ms apart, each timed from the key to the screen showing the selection moved.\n",
		len(r.TriageScreen), 100*r.IdleCPU, r.ProbeSessions)
	p("- RSS is the server process's, from /proc/PID/smaps_rollup; peak is VmHWM from /proc/PID/status.\n\n")

	perFull := float64(r.RSSAll-r.RSSIdle) / float64(r.Sessions)
	cpuMean := meanOf(r.TriageCPU)
	m := c.meeting
	probeP99 := bench.Quantile(r.Probes, .99)
	var firstMax, laterMax time.Duration
	var firsts, laters []string
	for i, ds := range r.Opens {
		first := r.FirstLogin
		rest := ds
		if i > 0 && len(ds) > 0 {
			// Pane 1's first showing after start is the idle session's; the others' is the
			// first township session's.
			first, rest = ds[0], ds[1:]
		}
		firstMax, laterMax = max(firstMax, first), max(laterMax, maxOf(rest))
		firsts = append(firsts, ms(first))
		laters = append(laters, fmt.Sprintf("%s / %s", ms(bench.Quantile(rest, .5)), ms(maxOf(rest))))
	}
	mm := func(unit string) string {
		if v, ok := m[unit]; ok {
			return fmt.Sprintf("%.1f ms", v)
		}
		return "—"
	}
	inProc := func(units ...string) string {
		if m == nil {
			return "—"
		}
		var s []string
		for _, u := range units {
			s = append(s, mm(u))
		}
		return strings.Join(s, " / ")
	}
	p("| target | real server (`sanbai serve`, SSH) | in process (`BenchmarkCountyMeeting`) | target | | why |\n")
	p("|---|---:|---:|---|---|---|\n")
	ok := cpuMean <= countyCPUTarget
	why := "the server's whole CPU per change, every session told of it and drawing its frame"
	if !ok {
		why = fmt.Sprintf("%.1f× the target", float64(cpuMean)/float64(countyCPUTarget))
		if v, has := m["ms-cpu/change"]; has && v >= 0.5*float64(cpuMean)/1e6 {
			why += fmt.Sprintf(": in process, without SSH or terminals, a change costs %.0f ms, so most of it is the %d sessions applying the change and drawing their frames, not the wire", v, r.Sessions)
		}
	}
	p("| (a) CPU per triage keystroke, all sessions: mean / max (n=%d) | %s / %s | %s | ≤ %s | %s | %s |\n",
		len(r.TriageCPU), ms(cpuMean), ms(maxOf(r.TriageCPU)), inProc("ms-cpu/change", "ms-cpu-p99"), ms(countyCPUTarget), met(ok), why)
	p("| …wall time until every session is still (mean); the triaging session's key → counts redrawn (mean / max); the harness's own CPU (clients and terminals) per change (mean) | %s; %s / %s; %s | %s | | | |\n",
		ms(meanOf(r.TriageWall)), ms(meanOf(r.TriageScreen)), ms(maxOf(r.TriageScreen)), ms(meanOf(r.ClientCPU)), inProc("ms-wall/change"))
	ok = probeP99 <= countyKeyTarget && len(r.Probes) > 0
	why = "keys of sessions sitting on the queue and the revisit checklist, during changes"
	if len(r.Probes) == 0 {
		why = "no probe keys were timed"
	} else if !ok {
		why = fmt.Sprintf("the probes wait behind the change's updates on the machine's cores, shared with the harness: its %d clients and terminals used %s of CPU per change (mean), beside the server's %s", r.Sessions+1, ms(meanOf(r.ClientCPU)), ms(cpuMean))
	}
	keyIn := "—"
	if m != nil {
		keyIn = fmt.Sprintf("%s / %s (n=%.0f)", mm("ms-key-p50"), mm("ms-key-p99"), m["keys"])
	}
	p("| (b) other sessions' keys meanwhile, key → screen: p50 / p99 (n=%d) | %s / %s | %s | p99 ≤ %s | %s | %s |\n",
		len(r.Probes), ms(bench.Quantile(r.Probes, .5)), ms(probeP99), keyIn, ms(countyKeyTarget), met(ok), why)
	laterIn, firstIn := "—", "—"
	if m != nil {
		var f, l []string
		for i := range countyPanes {
			if i == 0 {
				// In process, pane 1 loads with the session: its key shows it again.
				f, l = append(f, "n/a"), append(l, "n/a")
				continue
			}
			f = append(f, mm(fmt.Sprintf("ms-open%d-first", i+1)))
			l = append(l, mm(fmt.Sprintf("ms-open%d-max-later", i+1)))
		}
		firstIn, laterIn = strings.Join(f, " / "), "max "+strings.Join(l, " / ")
	}
	// openRow is a row of target (c): met or missed, and why either way.
	openRow := func(name, real, inProc string, worst time.Duration, whyMet, whyMissed string) {
		ok, why := worst <= countyOpenTarget, whyMet
		if !ok {
			why = whyMissed
		}
		p("| %s | %s | %s | ≤ %s | %s | %s |\n", name, real, inProc, ms(countyOpenTarget), met(ok), why)
	}
	openRow("(c) each pane's first screen, later sessions, panes 1 / 2 / 3 / 4 / 5: p50 / max", strings.Join(laters, "; "), laterIn, laterMax,
		"every later session finds the shared views built", "a later session's pane waits on its own load or behind another session's")
	openRow("(c) …right after start (the first session to show each pane), panes 1 / 2 / 3 / 4 / 5", strings.Join(firsts, " / "), firstIn, firstMax,
		"the first session after start finds every shared view built",
		"the first session to show a pane after start waits for the county's view of it to be built; every later session finds it built")
	// The first sessions build the views panes 2–5 share; what a session holds of its own is
	// what each one after them adds.
	k := max(1, r.Sessions/5)
	marginal := perFull
	if len(r.RSSAt) > k {
		marginal = float64(r.RSSAt[len(r.RSSAt)-1]-r.RSSAt[k-1]) / float64(len(r.RSSAt)-k)
	}
	// RSS follows the heap's high-water mark: later sessions may fit in what earlier loads
	// freed, so the heap per session after a full collection (in process) is judged too.
	judged := marginal
	if v, has := m["MB/session"]; has {
		judged = max(judged, v*1e6/1024)
	}
	ok = judged <= countyMoreTarget
	why = "judged on the larger of the RSS a later session adds and the in-process heap per session (RSS follows the heap's high-water mark, so later sessions may fit in what earlier loads freed); the views the first sessions built for panes 2–5 are shared by all"
	if !ok {
		why = "each later session still adds this much: its panes' own state, and garbage the collector has not yet handed back (RSS follows the heap's peak)"
	}
	heapIn := "—"
	if m != nil {
		heapIn = fmt.Sprintf("%.1f MB heap per session (idle session and what all share: %.0f MB)", m["MB/session"], m["MB-idle"])
	}
	p("| (d) a township session that opened every pane, beyond the idle one: RSS each of sessions %d–%d added (mean); all %d, shared views included: (RSS after them − after the idle session) / %d | %.1f MiB; %.1f MiB | %s | ≤ 20 MiB | %s | %s |\n",
		k+1, r.Sessions, r.Sessions, r.Sessions, marginal/1024, perFull/1024, heapIn, met(ok), why)
	top := max(r.Peak, r.RSSAll, r.RSSAfter)
	ok = top <= countyTotalTarget
	why = "the server's whole RSS at its peak: the store, the ledger view, the shared views and every session"
	if !ok {
		why = fmt.Sprintf("%s over at the peak: the server held %s with the idle session alone (the store's caches, the ledger view, pane 1's view), before any township session opened a pane", mib(top-countyTotalTarget), mib(r.RSSIdle))
	}
	p("| (e) %d such sessions (and the idle one): RSS after they opened every pane / after the meeting / peak | %s / %s / %s | | ≤ 2048 MiB | %s | %s |\n",
		r.Sessions, mib(r.RSSAll), mib(r.RSSAfter), mib(r.Peak), met(ok), why)
	p("\nServer RSS: %s at listening, %s after the idle session's first screen, %s after %d sessions opened every pane, %s after the meeting. ",
		mib(r.RSSListen), mib(r.RSSIdle), mib(r.RSSAll), r.Sessions, mib(r.RSSAfter))
	p("The idle session's first screen (pane 1, right after start) took %s. ", ms(r.FirstLogin))
	if c.meetingErr != "" {
		p("BenchmarkCountyMeeting: %s.", strings.ReplaceAll(strings.SplitN(c.meetingErr, "\n", 2)[0], "|", "\\|"))
	} else {
		p("`BenchmarkCountyMeeting` ran in process (`SANBAI_COUNTY=DIR SANBAI_MEETING_SESSIONS=%d go test -run '^$' -bench CountyMeeting -benchtime 1x ./tui/`) on the same county after the server stopped: %d sessions, 100 tags through the store, heap after a full collection.", r.Sessions, r.Sessions)
	}
	p("\n\n")
	return b.String()
}

// writeCountyDoc replaces what lies between the county markers in path with md; the markers
// must be there (docs/BENCHMARKS.md's "County scale (issue 19, part 4)").
func writeCountyDoc(path, md string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, countyBegin), strings.Index(s, countyEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s markers", path, countyBegin, countyEnd)
	}
	return os.WriteFile(path, []byte(s[:i]+countyBegin+"\n"+md+s[j:]), 0o644)
}
