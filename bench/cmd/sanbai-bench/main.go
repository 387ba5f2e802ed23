// Command sanbai-bench measures sanbai over loopback SSH beside OpenSSH's sshd serving less
// over the same rows, prints the table, and with -doc writes it into docs/BENCHMARKS.md.
// `make bench` runs it. See the bench package for what is measured and how.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/bench"
)

func main() {
	if dir := os.Getenv(bench.ChildEnv); dir != "" {
		// Re-executed as the server process (see bench.StartChild).
		if err := bench.ServeChild(dir, os.Stdin, os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	var o bench.Options
	flag.DurationVar(&o.Quiet, "quiet", 150*time.Millisecond, "an update is over after this long without output")
	flag.IntVar(&o.Cursor, "cursor", 10, "cursor moves measured inside a page")
	flag.IntVar(&o.Edge, "edge", 5, "cursor moves measured at the page edge")
	flag.IntVar(&o.Pages, "pages", 8, "page scrolls measured")
	flag.IntVar(&o.Latency, "latency", 100, "keys in the latency loop (j/k)")
	flag.IntVar(&o.Esc, "esc", 20, "lone Esc samples (help opened with ?, closed with esc)")
	flag.IntVar(&o.Bursts, "bursts", 10, "typing bursts measured (8 cursor keys 8 ms apart)")
	flag.DurationVar(&o.IdleFor, "idle", time.Minute, "idle window (all sessions at once)")
	flag.DurationVar(&o.CPUWindow, "cpu-window", 5*time.Second, "how long the memory run watches each server's CPU with the sessions idle, at each step")
	sessions := flag.String("sessions", "1,20,100", "concurrent idle sessions for the memory figures")
	doc := flag.String("doc", "", "write the results into this markdown file between the bench markers")
	unpatched := flag.String("unpatched-bin", "", "also measure sanbai's bytes with this build (made without the renderer patch)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the sanbai server during its 80x24 run to this file")
	fps := flag.Int("fps", 0, "also measure sanbai at 80x24 served at this renderer frame rate (tea.WithFPS) instead of sshserver.FPS")
	heap := flag.String("heapprofile", "", "write a heap profile of the sanbai server with the most idle sessions open to this file")
	openssh := flag.String("openssh", "ssh", "also measure both servers at 80x24 with this OpenSSH client (found in PATH); empty to skip")
	flag.StringVar(&o.Dump, "dump", "", "write each sanbai 80x24 latency sample (first byte, last byte) to this file, for study")
	panes := flag.Bool("panes", true, "also tour every pane at 80x24 (default and lean display, less and vim beside), with the -openssh client")
	onlyPanes := flag.Bool("only-panes", false, "measure the per-pane tour alone (a quick run of it)")
	var cf countyFlags
	flag.StringVar(&cf.dir, "county", "", "also measure a county: this data directory (`sanbai demo --county --data DIR`, copied for the run), or \"new\" to generate one (about 40 s); empty to skip")
	flag.StringVar(&cf.bin, "sanbai", "", "the sanbai binary the county run serves and seeds with (built when empty)")
	flag.IntVar(&cf.sessions, "county-sessions", 50, "township sessions that open every pane in the county run")
	flag.IntVar(&cf.keys, "county-keys", 100, "triage keystrokes in the county run's meeting (half measured for CPU, half probed)")
	flag.BoolVar(&cf.noProbes, "county-no-probes", false, "type no probe keys during the county run's meeting, for a server profile of the changes alone ((b) is not measured)")
	flag.BoolVar(&cf.meeting, "county-meeting", true, "also run BenchmarkCountyMeeting on the county, in process")
	onlyCounty := flag.Bool("only-county", false, "measure the county alone (needs -county) and rewrite only its section of -doc")
	flag.Parse()
	for _, s := range strings.Split(*sessions, ",") {
		var n int
		if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
			log.Fatalf("bad -sessions %q", *sessions)
		}
		o.Sessions = append(o.Sessions, n)
	}
	o.MemSettle = time.Second
	o.Logf = log.Printf
	log.SetFlags(log.Ltime)
	if *openssh != "" {
		path, err := exec.LookPath(*openssh)
		if err != nil {
			log.Fatalf("-openssh %q: %v (bench/setup.sh installs openssh-client)", *openssh, err)
		}
		*openssh = path
	}
	// The command line goes into the doc; a county directory is this machine's, so the doc
	// says DIR for it (-county new stays as typed).
	argv := slices.Clone(os.Args[1:])
	for i, a := range argv {
		if i > 0 && (argv[i-1] == "-county" || argv[i-1] == "--county") && a != "new" {
			argv[i] = "DIR"
		} else if v, ok := strings.CutPrefix(a, "-county="); ok && v != "new" {
			argv[i] = "-county=DIR"
		}
	}
	args := strings.Join(argv, " ")
	if *onlyCounty && cf.dir == "" {
		log.Fatal("-only-county needs -county DIR (or -county new)")
	}
	if !*onlyCounty {
		var res *results
		var err error
		if *onlyPanes {
			res, err = runPanes(o, *openssh)
		} else {
			res, err = run(o, *unpatched, *profile, *heap, *fps, *openssh, *panes)
		}
		if err != nil {
			log.Fatal(err)
		}
		md := res.markdown(args)
		fmt.Print(md)
		if *doc != "" {
			if err := writeDoc(*doc, md); err != nil {
				log.Fatal(err)
			}
			log.Printf("wrote %s", *doc)
		}
	}
	if cf.dir == "" {
		// The county run takes minutes and a county store; the quick runs skip it.
		log.Printf("county table skipped (no -county DIR or -county new)")
		return
	}
	cres, err := runCounty(cf, args)
	if err != nil {
		log.Fatal(err)
	}
	md := cres.markdown()
	fmt.Print(md)
	if *doc != "" {
		if err := writeCountyDoc(*doc, md); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote the county table into %s", *doc)
	}
}

// sizes are the windows measured; targets apply at the first.
var sizes = [][2]int{{80, 24}, {120, 40}}

type results struct {
	ours, base, unpatched []*bench.Run
	fpsRun                *bench.Run        // sanbai at another frame rate, 80×24
	fpsIdle               [2]bench.MemPoint // the same server before and with the memory run's most sessions idle
	rawRun                *bench.Run        // sanbai reading sessions without sshinput, 80×24
	fps                   int
	// oursSSH and baseSSH are both targets at 80×24 logged in with the OpenSSH client.
	oursSSH, baseSSH *bench.Run
	// lean is sanbai in the lean display (SANBAI_LEAN=1), at each size.
	lean []*bench.Run
	// panes are the per-pane tours at 80×24: sanbai, sanbai lean, less, vim (when found).
	panes                 []*bench.PaneRun
	panesClient           string // the client the tours logged in with
	cpuWindow             time.Duration
	sshVersion            string
	oursMem, baseMem      []bench.MemPoint
	rows                  int
	machine, tools, patch string
	when                  time.Time
	took                  time.Duration
}

// setup is what every run needs: a temporary directory, a client key, the sanbai server
// over a fresh demo township, the Queue's rows written as files for the baselines, and sshd.
// stop ends the servers and removes the directory.
type setup struct {
	tmp, keyFile, self string
	signer             gossh.Signer
	child              *bench.Child
	sshd               *bench.SSHD
	files              []string // the Queue's rows, turned, for less's :n (4 files)
	tourFiles          []string // the same, 7 files: the tour's six switches never run out (less stops at the last)
	firstID            string   // the first row's ID, on the first screen of every baseline
}

// newSetup also starts the results, with what is known before measuring.
func newSetup() (*results, *setup, error) {
	res := &results{machine: bench.Machine(), tools: bench.ToolVersions(), patch: bench.RendererPatch(), when: time.Now()}
	su, err := res.setup()
	return res, su, err
}

func (res *results) setup() (*setup, error) {
	su := &setup{}
	var err error
	if su.tmp, err = os.MkdirTemp("", "sanbai-bench-"); err != nil {
		return nil, err
	}
	if su.signer, su.keyFile, err = bench.NewSignerFile(su.tmp); err != nil {
		su.stop()
		return nil, err
	}
	if su.self, err = os.Executable(); err != nil {
		su.stop()
		return nil, err
	}
	log.Printf("starting sanbai (renderer %s) over a fresh demo township", res.patch)
	if su.child, err = bench.StartChild(su.self, filepath.Join(su.tmp, "sanbai")); err != nil {
		su.stop()
		return nil, err
	}
	rowsPath := filepath.Join(su.tmp, "rows.txt")
	if _, err := su.child.Do("rows " + rowsPath); err != nil {
		su.stop()
		return nil, err
	}
	tourDir := filepath.Join(su.tmp, "tour")
	if su.files, err = bench.RowsFiles(su.tmp, rowsPath, 4); err == nil {
		if err = os.Mkdir(tourDir, 0o755); err == nil {
			su.tourFiles, err = bench.RowsFiles(tourDir, rowsPath, 7)
		}
	}
	if err != nil {
		su.stop()
		return nil, err
	}
	if b, err := os.ReadFile(rowsPath); err == nil {
		res.rows = strings.Count(string(b), "\n")
	}
	if b, err := os.ReadFile(su.files[0]); err == nil {
		su.firstID = strings.Fields(string(b))[0]
	}
	sshdDir := filepath.Join(su.tmp, "sshd")
	if err := os.MkdirAll(sshdDir, 0o700); err != nil {
		su.stop()
		return nil, err
	}
	if su.sshd, err = bench.StartSSHD(sshdDir, su.signer.PublicKey()); err != nil {
		su.stop()
		return nil, err
	}
	return su, nil
}

func (su *setup) stop() {
	if su.sshd != nil {
		su.sshd.Stop()
	}
	if su.child != nil {
		su.child.Stop()
	}
	os.RemoveAll(su.tmp)
}

// baseline is sshd serving cmd (less or vim) over the rows files.
func (su *setup) baseline(name, cmd string) bench.Target {
	return bench.Target{
		Name: name, Addr: su.sshd.Addr, User: su.sshd.User, Signer: su.signer, Command: cmd,
		Ready: func(t *bench.Term) error { return t.WaitText(10*time.Second, su.firstID) },
		Keys:  bench.Keys{Down: "j", Up: "k", PageDown: "\x1b[6~", PageUp: "\x1b[5~"},
	}
}

func run(o bench.Options, unpatchedBin, profile, heap string, fps int, openssh string, panes bool) (*results, error) {
	res, su, err := newSetup()
	if err != nil {
		return nil, err
	}
	defer su.stop()
	tmp, signer, keyFile, self, child, sshd := su.tmp, su.signer, su.keyFile, su.self, su.child, su.sshd

	ours := oursTarget("sanbai", child.Addr, signer)
	base := su.baseline("sshd + less", bench.LessCommand(su.files...))
	// :n shows the next file, a screen of other rows; :x goes back to the first.
	base.Keys.Panes = []string{":n", ":n", ":n", ":x", ":n", ":n", ":n", ":x"}
	// The search prompt is less's only text field; two backspaces leave it.
	base.Keys.CharPre, base.Keys.Char, base.Keys.CharPost = []string{"/"}, "张", []string{"\x7f\x7f"}
	// less has no cursor: j always scrolls one line, so every j is a "cursor" sample.
	base.ListHeight = func(int) int { return o.Cursor + 1 }

	var open []*bench.Run
	defer func() {
		for _, r := range open {
			r.Close()
		}
	}()
	for i, sz := range sizes {
		if i == 0 && profile != "" {
			if _, err := child.Do("profile " + profile); err != nil {
				return nil, err
			}
		}
		log.Printf("sanbai %dx%d", sz[0], sz[1])
		r, err := bench.Measure(ours, sz[0], sz[1], o)
		if err != nil {
			return nil, fmt.Errorf("sanbai %dx%d: %w", sz[0], sz[1], err)
		}
		if i == 0 && profile != "" {
			if _, err := child.Do("stop"); err != nil {
				return nil, err
			}
		}
		open = append(open, r)
		res.ours = append(res.ours, r)
		if i == 0 && o.Dump != "" {
			var d strings.Builder
			for _, c := range r.Samples[bench.ActLatency] {
				fmt.Fprintf(&d, "%d %d %d\n", c.First.Microseconds(), c.Latency.Microseconds(), c.Down)
			}
			if err := os.WriteFile(o.Dump, []byte(d.String()), 0o644); err != nil {
				return nil, err
			}
		}
		log.Printf("sshd + less %dx%d", sz[0], sz[1])
		b, err := bench.Measure(base, sz[0], sz[1], o)
		if err != nil {
			return nil, fmt.Errorf("baseline %dx%d: %w", sz[0], sz[1], err)
		}
		open = append(open, b)
		res.base = append(res.base, b)

		lean := ours
		lean.Name, lean.Env = "sanbai lean", []string{"SANBAI_LEAN=1"}
		log.Printf("sanbai lean %dx%d", sz[0], sz[1])
		lo := o
		lo.Latency, lo.Esc, lo.Bursts = 0, 0, 0
		l, err := bench.Measure(lean, sz[0], sz[1], lo)
		if err != nil {
			return nil, fmt.Errorf("sanbai lean %dx%d: %w", sz[0], sz[1], err)
		}
		open = append(open, l)
		res.lean = append(res.lean, l)
	}
	if openssh != "" {
		res.sshVersion = bench.OpenSSHVersion(openssh)
		for _, tg := range []*bench.Target{&ours, &base} {
			sshTg := *tg
			sshTg.OpenSSH, sshTg.KeyFile, sshTg.Name = openssh, keyFile, tg.Name+" (OpenSSH client)"
			log.Printf("%s 80x24", sshTg.Name)
			r, err := bench.Measure(sshTg, 80, 24, o)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sshTg.Name, err)
			}
			open = append(open, r)
			if tg == &ours {
				res.oursSSH = r
			} else {
				res.baseSSH = r
			}
		}
	}
	if unpatchedBin != "" {
		log.Printf("starting sanbai built without the renderer patch")
		uc, err := bench.StartChild(unpatchedBin, filepath.Join(tmp, "unpatched"))
		if err != nil {
			return nil, err
		}
		defer uc.Stop()
		uo := o
		uo.Latency = 0
		for _, sz := range sizes {
			r, err := bench.Measure(oursTarget("sanbai unpatched", uc.Addr, signer), sz[0], sz[1], uo)
			if err != nil {
				return nil, fmt.Errorf("unpatched %dx%d: %w", sz[0], sz[1], err)
			}
			open = append(open, r)
			res.unpatched = append(res.unpatched, r)
		}
	}
	if fps > 0 {
		log.Printf("starting sanbai at %d frames per second", fps)
		fc, err := bench.StartChild(self, filepath.Join(tmp, "fps"), fmt.Sprintf("%s=%d", bench.FPSEnv, fps))
		if err != nil {
			return nil, err
		}
		defer fc.Stop()
		r, err := bench.Measure(oursTarget(fmt.Sprintf("sanbai %d fps", fps), fc.Addr, signer), 80, 24, o)
		if err != nil {
			return nil, fmt.Errorf("%d fps: %w", fps, err)
		}
		r.Close()
		res.fpsRun, res.fps = r, fps
		if o.CPUWindow > 0 && len(o.Sessions) > 0 {
			// What the frame rate costs idle sessions: the most of the memory run, watched.
			fo := o
			fo.Sessions = o.Sessions[len(o.Sessions)-1:]
			points, err := bench.MemRun(oursTarget("sanbai idle", fc.Addr, signer), 80, 24, fc.Pid(), nil, fo)
			if err != nil {
				return nil, fmt.Errorf("%d fps, idle: %w", fps, err)
			}
			res.fpsIdle = [2]bench.MemPoint{points[0], points[len(points)-1]}
		}
	}
	if o.Esc > 0 {
		// The lone Esc as it was before sshinput, for the before/after figures: only the
		// keys that reach the measured Escs are typed.
		log.Printf("starting sanbai reading sessions without sshinput")
		rc, err := bench.StartChild(self, filepath.Join(tmp, "raw"), bench.RawInputEnv+"=1")
		if err != nil {
			return nil, err
		}
		defer rc.Stop()
		ro := o
		ro.Cursor, ro.Edge, ro.Pages, ro.Latency, ro.Bursts = 0, 0, 0, 0, 0
		r, err := bench.Measure(oursTarget("sanbai without sshinput", rc.Addr, signer), 80, 24, ro)
		if err != nil {
			return nil, fmt.Errorf("without sshinput: %w", err)
		}
		r.Close()
		res.rawRun = r
	}
	if panes {
		if err := tourPanes(res, su, o, openssh); err != nil {
			return nil, err
		}
	}
	log.Printf("idle: watching %d sessions for %s", len(open), o.IdleFor)
	bench.Idle(open, o.IdleFor)

	res.cpuWindow = o.CPUWindow
	log.Printf("memory: sanbai")
	mo := o
	mo.Free = func() error { _, err := child.Do("free"); return err }
	if heap != "" {
		mo.AtMost = func() error { _, err := child.Do("heap " + heap); return err }
	}
	res.oursMem, err = bench.MemRun(ours, 80, 24, child.Pid(), child.Stats, mo)
	if err != nil {
		return nil, fmt.Errorf("sanbai memory: %w", err)
	}
	log.Printf("memory: sshd + less")
	res.baseMem, err = bench.MemRun(base, 80, 24, sshd.Pid(), nil, o)
	if err != nil {
		return nil, fmt.Errorf("baseline memory: %w", err)
	}
	res.took = time.Since(res.when)
	return res, nil
}

// runPanes is the per-pane tour alone, for a quick run of it.
func runPanes(o bench.Options, openssh string) (*results, error) {
	res, su, err := newSetup()
	if err != nil {
		return nil, err
	}
	defer su.stop()
	if err := tourPanes(res, su, o, openssh); err != nil {
		return nil, err
	}
	res.took = time.Since(res.when)
	return res, nil
}

// tourPanes tours every pane of sanbai at 80×24, in the default and the lean display, and
// the same number of files of the Queue's rows in less and vim (when found), all logged in
// with the OpenSSH client when there is one (Go's otherwise).
func tourPanes(res *results, su *setup, o bench.Options, openssh string) error {
	ours := oursTarget("sanbai", su.child.Addr, su.signer)
	lean := ours
	lean.Name, lean.Env = "sanbai lean", []string{"SANBAI_LEAN=1"}
	// The baselines' panes are files of the same rows: less's :n and vim's :bn show the next.
	files := func(tg bench.Target, next string) bench.Target {
		for _, p := range ours.Keys.Tour {
			tg.Keys.Tour = append(tg.Keys.Tour, bench.Pane{Name: p.Name, Key: next})
		}
		return tg
	}
	targets := []bench.Target{ours, lean, files(su.baseline("sshd + less", bench.LessCommand(su.tourFiles...)), ":n")}
	if cmd := bench.VimCommand(su.tourFiles...); cmd != "" {
		targets = append(targets, files(su.baseline("sshd + vim", cmd), ":bn\r"))
	} else {
		log.Printf("vim not found (bench/setup.sh installs vim-tiny): the tour has no vim column")
	}
	res.panesClient = "Go's x/crypto/ssh"
	if openssh != "" {
		res.panesClient = "OpenSSH" // its version is in the OpenSSH section's text
	}
	for _, tg := range targets {
		if openssh != "" {
			tg.OpenSSH, tg.KeyFile = openssh, su.keyFile
		}
		log.Printf("%s: every pane, 80x24", tg.Name)
		pr, err := bench.MeasurePanes(tg, 80, 24, o)
		if err != nil {
			return fmt.Errorf("%s, every pane: %w", tg.Name, err)
		}
		res.panes = append(res.panes, pr)
	}
	return nil
}

// oursTarget drives sanbai: the header names the township once the data is in; panes are
// switched with 1..4 and the cursor runs in the Queue pane (3).
func oursTarget(name, addr string, signer gossh.Signer) bench.Target {
	return bench.Target{
		Name: name, Addr: addr,
		User: "bench", Signer: signer, PerRunUser: true,
		Ready: func(t *bench.Term) error { return t.WaitText(10*time.Second, "青石镇", "台账") },
		Keys: bench.Keys{
			// Every pane drawn once before measuring, as a person would have seen them; a
			// (含已办结) in the Queue lists the resolved concerns too, all 215 as less pages
			// them, so that the list is long enough to page through at 120×40.
			Warm:  []string{"2", "3", "a", "4", "1"},
			Panes: []string{"2", "3", "4", "1", "2", "3", "4", "1", "2", "3"},
			Down:  "j", Up: "k", PageDown: "\x1b[6~", PageUp: "\x1b[5~",
			// A new visit (2, a) opens the registration form on the household search; six
			// tabs reach 建议, the first plain text field. esc asks whether to keep the
			// draft; d discards it, so the next run starts alike.
			CharPre:  []string{"2", "a", "\t", "\t", "\t", "\t", "\t", "\t"},
			Char:     "张",
			CharPost: []string{"\x1b", "d", "3"},
			// ? opens the help over the pane and any key closes it: a lone Esc, measured.
			EscPre: "?", Esc: "\x1b",
			Tour: []bench.Pane{{Name: "1 线路", Key: "1"}, {Name: "2 走访", Key: "2"}, {Name: "3 台账", Key: "3"},
				{Name: "4 回头看", Key: "4"}, {Name: "5 总览", Key: "5"}},
		},
		// The Queue's list is the pane (the window less header and footer) less its counts
		// line, a rule, the column header and a closing rule (tui/queue.go listHeight).
		ListHeight: func(h int) int { return h - 2 - 4 },
	}
}
