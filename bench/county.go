package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// The county run (issue 19, part 4): the real `sanbai serve` over a county store, township
// users logging in one after another and opening every pane, then a meeting triaging concerns
// in one session while the others sit on their panes. What it measures is what the targets
// name: each pane's first screen after its key, the server's RSS per session, the server's CPU
// per triage keystroke and the other sessions' keys meanwhile.

// CountyPane is a pane of a township session: the key that shows it and a text its first
// screen holds below the tab bar once loaded (the tab bar and footer show at once, the body
// says "loading" until the pane's data is in).
type CountyPane struct {
	Key, Text string
}

// CountyOptions say what MeasureCounty runs.
type CountyOptions struct {
	// Bin is the sanbai binary; Dir the county's data directory (written to: users are added
	// and concerns triaged, so pass a copy); Tmp a directory for keys and the server's log.
	Bin, Dir, Tmp string
	// Sessions is how many township sessions open every pane (besides the idle one).
	Sessions int
	// Keys is how many triage keystrokes the meeting types: even ones are measured for CPU
	// with nothing else typed, odd ones with the probes typing in the other sessions.
	Keys int
	// NoProbes leaves the odd keystrokes unprobed too, for a profile of the changes alone.
	NoProbes bool
	// W and H are every session's window.
	W, H int
	// Panes are the panes in key order (1..5); Loading is the text a pane shows while it loads.
	Panes   []CountyPane
	Loading string
	// Quiet is how long every session's output must stay still for an update to be over.
	Quiet time.Duration
	// IdleFor is how long the server's CPU is watched with every session sitting, to take
	// what sitting costs out of each triage keystroke's CPU.
	IdleFor time.Duration
	Logf    func(format string, args ...any)
}

// CountyResult is what MeasureCounty measured.
type CountyResult struct {
	Sessions int
	// Listen is from starting the process to its listening.
	Listen time.Duration
	// FirstLogin is the idle session's first screen (pane 1), logged in right after the
	// server listened: from dialling to the pane drawn with its data.
	FirstLogin time.Duration
	// Opens holds, per pane, each township session's first screen of it, in login order: pane
	// 1 from dialling (it is the pane a login shows), the others from their key.
	Opens [][]time.Duration
	// RSS (KiB) at listening, after the idle session's first screen, after every township
	// session opened every pane, and after the meeting; Peak is the process's peak RSS
	// (VmHWM) over the whole run, the meeting included.
	RSSListen, RSSIdle, RSSAll, RSSAfter, Peak int64
	// RSSAt is the RSS (KiB) after each township session rested on its pane, in login order.
	RSSAt []int64
	// IdleCPU is the share of a core the server used with every session sitting.
	IdleCPU float64
	// ClientCPU is what the harness itself (every session's SSH client and terminal) used
	// over each of those keystrokes, on the same cores as the server.
	ClientCPU []time.Duration
	// TriageCPU is the server's CPU for each unprobed triage keystroke, from the key until
	// every session's output was still, less what sitting costs over that time; TriageWall
	// is that time, TriageScreen the triaging session's key to its counts changed.
	TriageCPU, TriageWall, TriageScreen []time.Duration
	// Probes are the other sessions' j/k keys typed during the probed triage keystrokes,
	// each from the key to the screen showing the selection moved; ProbeSessions is how
	// many sessions were probed (those resting on a pane with a selected row).
	Probes        []time.Duration
	ProbeSessions int
	// Tags counts the triage keystrokes by the key typed.
	Tags map[string]int
}

// Serve is a `sanbai serve` process started by StartServe.
type Serve struct {
	Addr   string
	Listen time.Duration // from starting the process to its listening
	cmd    *exec.Cmd
}

// StartServe starts `bin serve` over the store in dir on a free loopback port, with the
// connection caps raised to conns (all sessions come from one address), its log in logPath,
// and returns once it listens.
func StartServe(bin, dir, logPath string, conns int) (*Serve, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	n := strconv.Itoa(conns)
	cmd := exec.Command(bin, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--max-conns", n, "--max-conns-per-ip", n)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Serve{cmd: cmd}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		// "sanbai listening on 127.0.0.1:PORT (data in DIR)"
		if rest, ok := strings.CutPrefix(sc.Text(), "sanbai listening on "); ok {
			s.Addr, _, _ = strings.Cut(rest, " ")
			s.Listen = time.Since(start)
			break
		}
	}
	if s.Addr == "" {
		s.Stop()
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("sanbai serve did not listen: %v\n%s", sc.Err(), log)
	}
	// The rest of its output is not read; drain it so that the server never blocks on it.
	go func() {
		for sc.Scan() {
		}
	}()
	return s, nil
}

// Pid is the server's process id.
func (s *Serve) Pid() int { return s.cmd.Process.Pid }

// Stop asks the server to stop as an operator would (SIGTERM) and kills it if it has not
// within ten seconds.
func (s *Serve) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	waitOrKill(s.cmd, 10)
}

// RegisterTownship adds n township users to the store in dir with `bin user add`, each with a
// fresh key of its own (a user's sessions are capped, and a county's officers are people of
// their own), and returns their keys in order.
func RegisterTownship(bin, dir string, n int) ([]gossh.Signer, error) {
	var signers []gossh.Signer
	for i := range n {
		s, err := NewSigner()
		if err != nil {
			return nil, err
		}
		key := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
		out, err := exec.Command(bin, "user", "add", "--data", dir, "--name", fmt.Sprintf("测评%02d", i),
			"--role", "township", "--key", key).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("user add: %v\n%s", err, out)
		}
		signers = append(signers, s)
	}
	return signers, nil
}

// selfCPU is the CPU the harness's own process has used so far, user and system.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is the process's peak RSS so far (VmHWM), in KiB, or 0 when it cannot be read.
func PeakRSS(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

// countySession is one township session and the pane it rests on.
type countySession struct {
	t    *Term
	rest int  // index into CountyOptions.Panes
	down bool // the next probe key is j (else k), so the selection stays near where it was
}

// paneShown reports whether the screen shows pane i (0-based) loaded: its tab marked
// ("[N "), its text below the tab bar, and nothing still loading.
func (o CountyOptions) paneShown(screen string, i int) bool {
	lines := strings.Split(screen, "\n")
	if len(lines) < 3 || !strings.Contains(lines[0], "["+o.Panes[i].Key+" ") {
		return false
	}
	body := strings.Join(lines[1:], "\n")
	return strings.Contains(body, o.Panes[i].Text) && !strings.Contains(body, o.Loading)
}

// SelectedRow is the screen row holding the list's selection mark (▸), or -1.
func SelectedRow(screen string) int {
	for i, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, "▸") {
			return i
		}
	}
	return -1
}

// waitFor polls the screen until ok holds, every millisecond, and returns how long it took
// from since.
func waitFor(t *Term, since time.Time, limit time.Duration, ok func(string) bool) (time.Duration, error) {
	deadline := since.Add(limit)
	for {
		s := t.Screen()
		if ok(s) {
			return time.Since(since), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("timed out after %s; screen:\n%s", limit, s)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitQuiet waits until no session has had output for quiet, or limit has passed.
func waitQuiet(ss []*countySession, quiet, limit time.Duration) {
	total := func() int64 {
		var n int64
		for _, s := range ss {
			n += s.t.Payload()
		}
		return n
	}
	deadline := time.Now().Add(limit)
	last, still := total(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if n := total(); n != last {
			last, still = n, time.Now()
		} else if time.Since(still) >= quiet {
			return
		}
	}
}

// MeasureCounty runs the county measurement: see CountyOptions and CountyResult.
func MeasureCounty(o CountyOptions) (*CountyResult, error) {
	logf := func(format string, args ...any) {
		if o.Logf != nil {
			o.Logf(format, args...)
		}
	}
	res := &CountyResult{Sessions: o.Sessions, Opens: make([][]time.Duration, len(o.Panes)), Tags: map[string]int{}}
	logf("county: registering %d township users", o.Sessions+1)
	signers, err := RegisterTownship(o.Bin, o.Dir, o.Sessions+1)
	if err != nil {
		return nil, err
	}
	// The server is started once and stopped cleanly before the start that is measured,
	// which is then a restart (an upgrade, a reboot) finding the store as a clean stop leaves
	// it. Otherwise that start also compacted the 51 one-user tables the admin commands
	// above each left in Badger's level 0 (about half a second of CPU beside the warm-up),
	// which the few users an office adds between two starts do not leave.
	logf("county: starting and stopping the server once")
	prepLog := filepath.Join(o.Tmp, "prepare.log")
	prep, err := StartServe(o.Bin, o.Dir, prepLog, 4)
	if err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if raw, _ := os.ReadFile(prepLog); strings.Contains(string(raw), "panes' read models warmed") {
			break
		}
	}
	time.Sleep(3 * time.Second) // the compactions it started
	prep.Stop()
	srv, err := StartServe(o.Bin, o.Dir, filepath.Join(o.Tmp, "serve.log"), 4*(o.Sessions+1))
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	pid := srv.Pid()
	res.Listen, res.RSSListen = srv.Listen, TreeMem(pid).RSS
	logf("county: sanbai serve listening after %s, %d KiB RSS", srv.Listen.Round(time.Millisecond), res.RSSListen)

	var all []*countySession
	defer func() {
		for _, s := range all {
			s.t.Close()
		}
	}()
	// login dials user i and waits for pane 1 with its data, timing it from the dial.
	login := func(i int) (*countySession, time.Duration, error) {
		start := time.Now()
		t, err := Dial(DialOptions{Addr: srv.Addr, User: fmt.Sprintf("u%d", i), Signer: signers[i], W: o.W, H: o.H})
		if err != nil {
			return nil, 0, err
		}
		s := &countySession{t: t, rest: -1, down: true}
		all = append(all, s)
		d, err := waitFor(t, start, 2*time.Minute, func(sc string) bool { return o.paneShown(sc, 0) })
		return s, d, err
	}
	// The idle session, right after start: what the first officer of the day waits for.
	if _, res.FirstLogin, err = login(0); err != nil {
		return nil, fmt.Errorf("idle session: %w", err)
	}
	time.Sleep(time.Second)
	res.RSSIdle = TreeMem(pid).RSS
	logf("county: idle session's first screen after %s; %d KiB RSS", res.FirstLogin.Round(time.Millisecond), res.RSSIdle)

	for i := 1; i <= o.Sessions; i++ {
		s, d, err := login(i)
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		res.Opens[0] = append(res.Opens[0], d)
		if d > 100*time.Millisecond {
			logf("county: session %d's first screen took %s (%d KiB RSS)", i, d.Round(time.Millisecond), TreeMem(pid).RSS)
		}
		for p := 1; p < len(o.Panes); p++ {
			sent := time.Now()
			if err := s.t.Send(o.Panes[p].Key); err != nil {
				return nil, err
			}
			d, err := waitFor(s.t, sent, 2*time.Minute, func(sc string) bool { return o.paneShown(sc, p) })
			if err != nil {
				return nil, fmt.Errorf("session %d, pane %s: %w", i, o.Panes[p].Key, err)
			}
			res.Opens[p] = append(res.Opens[p], d)
		}
		// Then it rests on one pane, the sessions spread evenly over them.
		s.rest = (i - 1) % len(o.Panes)
		if err := s.t.Send(o.Panes[s.rest].Key); err != nil {
			return nil, err
		}
		if _, err := waitFor(s.t, time.Now(), time.Minute, func(sc string) bool { return o.paneShown(sc, s.rest) }); err != nil {
			return nil, fmt.Errorf("session %d, back to pane %s: %w", i, o.Panes[s.rest].Key, err)
		}
		res.RSSAt = append(res.RSSAt, TreeMem(pid).RSS)
		if i%10 == 0 {
			logf("county: %d sessions opened every pane, %d KiB RSS", i, res.RSSAt[i-1])
		}
	}
	waitQuiet(all, o.Quiet, time.Minute)
	time.Sleep(time.Second)
	res.RSSAll = TreeMem(pid).RSS
	logf("county: %d sessions: %d KiB RSS, peak so far %d KiB", o.Sessions, res.RSSAll, PeakRSS(pid))

	c0 := TreeCPU(pid)
	time.Sleep(o.IdleFor)
	res.IdleCPU = float64(TreeCPU(pid)-c0) / float64(o.IdleFor)

	if err := meeting(o, res, pid, all); err != nil {
		return nil, err
	}
	waitQuiet(all, o.Quiet, time.Minute)
	res.RSSAfter, res.Peak = TreeMem(pid).RSS, PeakRSS(pid)
	return res, nil
}

// queuePane is the index of the queue's pane (key 3), where the meeting triages.
func queuePane(o CountyOptions) int {
	for i, p := range o.Panes {
		if p.Key == "3" {
			return i
		}
	}
	return -1
}

// tagKeys are the queue's tag keys and the tag each sets, as the queue's column shows it.
var tagKeys = []struct{ key, tag string }{{"g", "绿"}, {"y", "黄"}, {"r", "红"}}

// meeting triages concerns in one session resting on the queue, one tag key per row, and
// probes the sessions resting on a pane with a selected row during every other keystroke.
func meeting(o CountyOptions, res *CountyResult, pid int, all []*countySession) error {
	var triager *countySession
	var probes, still []*countySession // still: the sessions not probed
	for _, s := range all {
		switch {
		case triager == nil && s.rest == queuePane(o):
			triager = s
		case s.rest >= 0 && SelectedRow(s.t.Screen()) >= 0:
			probes = append(probes, s)
			continue
		}
		still = append(still, s)
	}
	if triager == nil {
		return fmt.Errorf("no session rests on the queue (3) to triage in")
	}
	res.ProbeSessions = len(probes)
	for k := range o.Keys {
		screen := triager.t.Screen()
		lines := strings.Split(screen, "\n")
		row := SelectedRow(screen)
		if row < 0 || len(lines) < 2 {
			return fmt.Errorf("the queue shows no selected row:\n%s", screen)
		}
		// A tag other than the row's, so that every keystroke is a change.
		f := strings.Fields(lines[row])
		key := tagKeys[k%len(tagKeys)]
		if len(f) > 3 && f[3] == key.tag {
			key = tagKeys[(k+1)%len(tagKeys)]
		}
		counts := lines[1]
		probing := k%2 == 1 && len(probes) > 0 && !o.NoProbes
		stop, probed := make(chan struct{}), make(chan []time.Duration)
		if probing {
			go probe(probes, stop, probed)
		}
		c0, s0, t0 := TreeCPU(pid), selfCPU(), time.Now()
		if err := triager.t.Send(key.key); err != nil {
			return err
		}
		// The triaging session's counts line changes when the change is in and drawn.
		d, err := waitFor(triager.t, t0, time.Minute, func(sc string) bool {
			l := strings.SplitN(sc, "\n", 3)
			return len(l) > 1 && l[1] != counts
		})
		if err != nil {
			if probing {
				close(stop)
				<-probed
			}
			return fmt.Errorf("triage key %q: %w", key.key, err)
		}
		if probing {
			// The probed sessions' output never stops while they are probed: the change is
			// over when the others' is still.
			waitQuiet(still, o.Quiet, time.Minute)
			close(stop)
			res.Probes = append(res.Probes, <-probed...)
			waitQuiet(all, o.Quiet, time.Minute)
		} else {
			waitQuiet(all, o.Quiet, time.Minute)
			wall := time.Since(t0)
			// What sitting costs over the same time is not the keystroke's.
			cpu := TreeCPU(pid) - c0 - time.Duration(res.IdleCPU*float64(wall))
			res.TriageCPU = append(res.TriageCPU, cpu)
			if o.Logf != nil {
				o.Logf("county: triage key %d: %s of CPU over %s", k+1, cpu.Round(100*time.Microsecond), wall.Round(time.Millisecond))
			}
			res.ClientCPU = append(res.ClientCPU, selfCPU()-s0)
			res.TriageWall = append(res.TriageWall, wall)
		}
		res.TriageScreen = append(res.TriageScreen, d)
		res.Tags[key.key]++
		// On to the next row, unmeasured.
		if err := triager.t.Send("j"); err != nil {
			return err
		}
		waitQuiet(all, o.Quiet, time.Minute)
	}
	return nil
}

// probe types j or k into the sessions in turn, one key at a time with 5 ms between, and
// times each from the key to the screen showing the selection a row further, until stop
// closes; it sends what it timed on out.
func probe(ss []*countySession, stop <-chan struct{}, out chan<- []time.Duration) {
	var ds []time.Duration
	for i := 0; ; i++ {
		select {
		case <-stop:
			out <- ds
			return
		case <-time.After(5 * time.Millisecond):
		}
		s := ss[i%len(ss)]
		before := SelectedRow(s.t.Screen())
		key, want := "j", before+1
		if !s.down {
			key, want = "k", before-1
		}
		sent := time.Now()
		if s.t.Send(key) != nil {
			continue
		}
		d, err := waitFor(s.t, sent, 5*time.Second, func(sc string) bool { return SelectedRow(sc) == want })
		if err != nil {
			// A list that could not move (its end, or a row the change took away): not a
			// sample, and the next key goes back the other way.
			s.down = !s.down
			continue
		}
		ds = append(ds, d)
		s.down = !s.down
	}
}
