package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Action names, as the report shows them.
const (
	ActCursor     = "cursor move (one row)"
	ActCursorEdge = "cursor move at page edge"
	ActPage       = "page scroll (pgdn/pgup)"
	ActPane       = "pane switch"
	ActChar       = "type one Chinese character"
	ActCharLater  = "…and what follows it within 1 s"
	ActLatency    = "cursor j/k, latency loop"
	ActEsc        = "lone Esc"
	// ActBurst is BurstKeys cursor keys typed BurstGap apart, faster than anyone types: at a
	// higher frame rate more of them fall on frames of their own, each frame a cursor move.
	ActBurst = "typing burst (8 keys, 8 ms apart)"
	// ActRepeat is BurstKeys cursor keys RepeatGap apart, as a held key repeats (30 Hz).
	ActRepeat = "held key (8 repeats, 33 ms apart)"
)

// BurstKeys, BurstGap and RepeatGap make the ActBurst and ActRepeat samples. Keys that come
// in one write (a burst over a laggy link, a paste) are read at once and drawn in one frame
// at any frame rate, so they are not measured apart.
const (
	BurstKeys = 8
	BurstGap  = 8 * time.Millisecond
	RepeatGap = 33 * time.Millisecond
)

// Keys are what a target is driven with for each action.
type Keys struct {
	// Warm is typed once after the first screen, unmeasured, to reach the starting state.
	Warm []string
	// Panes are typed in turn, each one a measured pane switch; the sequence ends where the
	// cursor and page measurements start.
	Panes []string
	// Down moves one row, Up one row back; PageDown and PageUp a page.
	Down, Up, PageDown, PageUp string
	// CharPre opens a text field, Char is one Chinese character typed into it, CharPost
	// closes it again. An empty Char means there is no text field to type into.
	CharPre, CharPost []string
	Char              string
	// EscPre opens something a lone Esc closes again (Esc); each Esc is measured. An empty
	// Esc means the target has nothing a lone Esc acts on at once.
	EscPre, Esc string
	// Tour lists the panes MeasurePanes visits, each with the key that shows it.
	Tour []Pane
}

// Target is a server under measurement.
type Target struct {
	Name string
	// Addr is where the server listens; User, Signer and Command are how to log in.
	Addr    string
	User    string
	Signer  gossh.Signer
	Command string // run instead of the login shell when set
	// OpenSSH and KeyFile, when set, log in with the OpenSSH client at that path and the
	// private key of Signer in that file, instead of Go's client (see DialOptions).
	OpenSSH, KeyFile string
	// Env is sent as environment requests at login (e.g. SANBAI_LEAN=1).
	Env []string
	// PerRunUser gives each run its own user name (User-W×H), so that state a run leaves
	// behind for its user, such as a visit draft, does not change the next run's screens.
	PerRunUser bool
	// Ready waits until the first full screen is drawn.
	Ready func(t *Term) error
	Keys  Keys
	// ListHeight is how many rows one page of the list holds at height h, to tell a
	// cursor move inside the page from one that scrolls it.
	ListHeight func(h int) int
}

// Cost is what one step cost on the wire.
type Cost struct {
	Up, Down int64 // TCP payload bytes, client→server and server→client
	Payload  int64 // session output inside SSH, server→client
	// Latency is from the key's arrival at the server to the last byte of the update.
	Latency time.Duration
	// First is from the key's arrival to the first byte of the update.
	First   time.Duration
	Updated bool // the server answered with something
}

// Run is one target measured at one window size.
type Run struct {
	Target      string
	W, H        int
	Handshake   Cost // TCP connect to an authenticated connection
	FirstScreen Cost // TCP connect to the first full screen, handshake included
	FirstTime   time.Duration
	// FirstScreenKex is FirstScreen again with only SameKex offered.
	FirstScreenKex Cost
	Samples        map[string][]Cost
	// Raw holds the session output of the first sample of each action, to show where the
	// bytes go.
	Raw  map[string][]byte
	Idle Cost
	// IdleWindow is how long the idle measurement watched.
	IdleWindow time.Duration

	term  *Term
	relay *Relay
}

// Options tune a measurement.
type Options struct {
	Quiet     time.Duration // the line counts as settled after this long without output
	Cursor    int           // cursor samples inside a page
	Edge      int           // cursor samples at the page edge
	Pages     int           // page scroll samples
	Latency   int           // keys in the latency loop
	Esc       int           // lone Esc samples
	Bursts    int           // typing burst samples (ActBurst)
	IdleFor   time.Duration // idle window
	Logf      func(format string, args ...any)
	Sessions  []int // concurrent session counts for the memory run
	MemSettle time.Duration
	// CPUWindow is how long the memory run watches the server's CPU at each step, the sessions
	// idle (0: not at all). A frame clock that ticks with nothing to draw costs CPU here.
	CPUWindow time.Duration
	// Free, when set, is called before each memory reading: the server returns the memory
	// its garbage collector freed to the OS, so RSS follows what the sessions hold rather
	// than when the collector last ran.
	Free func() error
	// AtMost, when set, is called with the most sessions of the memory run open.
	AtMost func() error
	// Dump names a file for the first run's latency samples.
	Dump string
}

// Measure runs every action against a target at w×h and leaves the session open for the idle
// measurement (see Idle).
func Measure(tg Target, w, h int, o Options) (*Run, error) {
	r := &Run{Target: tg.Name, W: w, H: h, Samples: map[string][]Cost{}, Raw: map[string][]byte{}}
	relay, err := NewRelay(tg.Addr)
	if err != nil {
		return nil, err
	}
	r.relay = relay
	start := time.Now()
	if tg.PerRunUser {
		tg.User = fmt.Sprintf("%s-%dx%d", tg.User, w, h)
	}
	t, err := tg.Dial(w, h, relay.Addr())
	if err != nil {
		relay.Close()
		return nil, err
	}
	r.term = t
	up, down := relay.Totals()
	r.Handshake = Cost{Up: up, Down: down, Latency: t.Handshake}
	if err := tg.Ready(t); err != nil {
		r.Close()
		return nil, err
	}
	relay.WaitQuiet(start, 4*o.Quiet, 10*time.Second)
	up, down = relay.Totals()
	r.FirstScreen = Cost{Up: up, Down: down, Payload: t.Payload()}
	r.FirstTime = time.Since(start)
	if r.FirstScreenKex, err = firstScreen(tg, w, h, o, SameKex); err != nil {
		r.Close()
		return nil, err
	}

	step := func(act, keys string) Cost {
		raw := len(r.Raw[act]) == 0 && r.Raw[act] == nil
		if raw {
			t.Record()
		}
		c := r.key(keys, o.Quiet)
		if raw {
			r.Raw[act] = t.Recorded()
		}
		r.Samples[act] = append(r.Samples[act], c)
		return c
	}
	plain := func(keys string) { r.key(keys, o.Quiet) }

	for _, k := range tg.Keys.Warm {
		plain(k)
	}
	for _, k := range tg.Keys.Panes {
		step(ActPane, k)
	}
	// Cursor moves from the top of the list: the first ones stay inside the page, then the
	// cursor reaches the bottom row and each move scrolls the list by one.
	inPage := tg.ListHeight(h) - 1
	for i := 0; i < inPage+o.Edge; i++ {
		act := ActCursor
		if i >= inPage {
			act = ActCursorEdge
		} else if i >= o.Cursor {
			plain(tg.Keys.Down)
			continue
		}
		step(act, tg.Keys.Down)
	}
	// Down a page and back up, in turn: a list of a few pages would otherwise reach its end
	// and measure keys that have nothing left to scroll. A page key moves a list cursor by a
	// page and the window only as far as the cursor needs, so a page key measured is always
	// typed from the row that makes the window move by the whole page: PgDn from the bottom
	// row (where the cursor is after the edge moves), PgUp from the top. The unmeasured key
	// after each puts the cursor on that row (PgUp right after PgDn moves the window by one
	// row and leaves the cursor on the top row; PgDn after PgUp, likewise, on the bottom
	// row). less scrolls by a page on every page key, so for it every key is a page.
	for i := 0; i < o.Pages; i++ {
		if i%2 == 0 {
			step(ActPage, tg.Keys.PageDown)
			plain(tg.Keys.PageUp)
		} else {
			step(ActPage, tg.Keys.PageUp)
			plain(tg.Keys.PageDown)
		}
	}
	for i := 0; i < o.Latency; i++ {
		k := tg.Keys.Down
		if i%2 == 1 {
			k = tg.Keys.Up
		}
		step(ActLatency, k)
	}
	// Bursts down and up in turn, so the cursor stays about where it was.
	for i := 0; i < o.Bursts; i++ {
		k := tg.Keys.Down
		if i%2 == 1 {
			k = tg.Keys.Up
		}
		r.Samples[ActBurst] = append(r.Samples[ActBurst], r.keys(k, BurstKeys, BurstGap, o.Quiet))
		r.Samples[ActRepeat] = append(r.Samples[ActRepeat], r.keys(k, BurstKeys, RepeatGap, o.Quiet))
	}
	// A lone Esc, typed by itself after the line went quiet, as a person leaving a prompt
	// does: the input decoder cannot tell it from the first byte of a longer sequence
	// without waiting, which is what these samples measure.
	for i := 0; tg.Keys.Esc != "" && i < o.Esc; i++ {
		plain(tg.Keys.EscPre)
		step(ActEsc, tg.Keys.Esc)
	}
	if tg.Keys.Char != "" {
		for _, k := range tg.Keys.CharPre {
			plain(k)
		}
		step(ActChar, tg.Keys.Char)
		// Whatever the key sets off later, such as a draft saved when typing pauses.
		r.Samples[ActCharLater] = append(r.Samples[ActCharLater], r.follow(time.Second))
		for _, k := range tg.Keys.CharPost {
			plain(k)
		}
	}
	if o.Logf != nil {
		for _, act := range []string{ActCursor, ActCursorEdge, ActPage, ActPane, ActChar, ActCharLater} {
			var ds []int64
			for _, c := range r.Samples[act] {
				ds = append(ds, c.Down)
			}
			o.Logf("%s %d×%d %s: %v bytes down", tg.Name, w, h, act, ds)
		}
	}
	return r, nil
}

// firstScreen logs in once more, through a relay of its own, and returns what the first
// screen cost.
func firstScreen(tg Target, w, h int, o Options, kex ...string) (Cost, error) {
	relay, err := NewRelay(tg.Addr)
	if err != nil {
		return Cost{}, err
	}
	defer relay.Close()
	start := time.Now()
	t, err := tg.Dial(w, h, relay.Addr(), kex...)
	if err != nil {
		return Cost{}, err
	}
	defer t.Close()
	if err := tg.Ready(t); err != nil {
		return Cost{}, err
	}
	relay.WaitQuiet(start, 4*o.Quiet, 10*time.Second)
	up, down := relay.Totals()
	return Cost{Up: up, Down: down, Payload: t.Payload()}, nil
}

// key types keys and waits for the answer to settle. It first waits a random part of a
// frame: the settle rule ends an update a fixed time after its last byte, which would
// otherwise send every key at the same phase of the server's frame clock and bias the
// latency figures.
func (r *Run) key(keys string, quiet time.Duration) Cost {
	return r.keys(keys, 1, 0, quiet)
}

// keys types keys n times, gap apart, and waits for the answer to settle, as key does; the
// cost is that of them all, its latency from the first key's arrival to the last byte.
func (r *Run) keys(keys string, n int, gap, quiet time.Duration) Cost {
	time.Sleep(rand.N(20 * time.Millisecond))
	mark := r.relay.Mark()
	p0 := r.term.Payload()
	sent := time.Now()
	for i := range n {
		if i > 0 {
			time.Sleep(gap)
		}
		if err := r.term.Send(keys); err != nil {
			return Cost{}
		}
	}
	r.relay.WaitQuiet(sent, quiet, 5*time.Second)
	var c Cost
	var first, firstDown, last time.Time
	for _, e := range r.relay.Since(mark) {
		if e.Up {
			c.Up += int64(e.N)
			if first.IsZero() {
				first = e.At
			}
		} else {
			c.Down += int64(e.N)
			last = e.At
			if firstDown.IsZero() {
				firstDown = e.At
			}
		}
	}
	c.Payload = r.term.Payload() - p0
	if !first.IsZero() && last.After(first) {
		c.Latency, c.First, c.Updated = last.Sub(first), firstDown.Sub(first), true
	}
	return c
}

// follow records what comes down in the next d without a key.
func (r *Run) follow(d time.Duration) Cost {
	mark, p0 := r.relay.Mark(), r.term.Payload()
	time.Sleep(d)
	var c Cost
	for _, e := range r.relay.Since(mark) {
		if e.Up {
			c.Up += int64(e.N)
		} else {
			c.Down += int64(e.N)
		}
	}
	c.Payload = r.term.Payload() - p0
	return c
}

// Idle watches every run's session, untouched, for d at once, and records what came down.
func Idle(runs []*Run, d time.Duration) {
	marks := make([]int, len(runs))
	p0 := make([]int64, len(runs))
	for i, r := range runs {
		marks[i], p0[i] = r.relay.Mark(), r.term.Payload()
	}
	time.Sleep(d)
	for i, r := range runs {
		var c Cost
		for _, e := range r.relay.Since(marks[i]) {
			if e.Up {
				c.Up += int64(e.N)
			} else {
				c.Down += int64(e.N)
			}
		}
		c.Payload = r.term.Payload() - p0[i]
		r.Idle, r.IdleWindow = c, d
	}
}

// Close ends the run's session.
func (r *Run) Close() {
	if r.term != nil {
		r.term.Close()
	}
	if r.relay != nil {
		r.relay.Close()
	}
}

// MemPoint is the server's memory with n idle sessions open.
type MemPoint struct {
	Sessions   int
	Mem        Mem
	Goroutines int // sanbai only
	HeapInuse  uint64
	// IdleCPU is the share of one core the server's process tree used while the sessions sat
	// idle, over Options.CPUWindow (0 when not measured).
	IdleCPU float64
}

// MemRun opens idle sessions (first screen drawn, then no keys) up to each count in
// o.Sessions and measures the server at each, starting from none.
func MemRun(tg Target, w, h int, pid int, stats func() (Stats, error), o Options) ([]MemPoint, error) {
	measure := func(n int) (MemPoint, error) {
		time.Sleep(o.MemSettle)
		p := MemPoint{Sessions: n}
		if o.CPUWindow > 0 {
			// Before Free, whose collection would count as the sessions' CPU.
			c0 := TreeCPU(pid)
			time.Sleep(o.CPUWindow)
			p.IdleCPU = float64(TreeCPU(pid)-c0) / float64(o.CPUWindow)
		}
		if o.Free != nil {
			if err := o.Free(); err != nil {
				return p, err
			}
		}
		if stats != nil {
			s, err := stats()
			if err != nil {
				return p, err
			}
			p.Goroutines, p.HeapInuse = s.Goroutines, s.HeapInuse
		}
		p.Mem = TreeMem(pid)
		return p, nil
	}
	p0, err := measure(0)
	if err != nil {
		return nil, err
	}
	points := []MemPoint{p0}
	var terms []*Term
	defer func() {
		for _, t := range terms {
			t.Close()
		}
	}()
	for _, n := range o.Sessions {
		var mu sync.Mutex
		var firstErr error
		for len(terms) < n {
			batch := min(10, n-len(terms))
			var wg sync.WaitGroup
			for range batch {
				wg.Go(func() {
					t, err := tg.Dial(w, h, tg.Addr)
					if err == nil {
						err = tg.Ready(t)
					}
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						if t != nil {
							t.Close()
						}
						if firstErr == nil {
							firstErr = err
						}
						return
					}
					terms = append(terms, t)
				})
			}
			wg.Wait()
			if firstErr != nil {
				return points, firstErr
			}
		}
		p, err := measure(n)
		if err != nil {
			return points, err
		}
		points = append(points, p)
		if n == o.Sessions[len(o.Sessions)-1] && o.AtMost != nil {
			if err := o.AtMost(); err != nil {
				return points, err
			}
		}
		if o.Logf != nil {
			o.Logf("%s: %d sessions, %d KiB RSS", tg.Name, n, p.Mem.RSS)
		}
	}
	return points, nil
}

// Quantile returns the q-quantile (0..1) of the durations, nearest rank.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// RowsFiles writes the rows file n times, each turned to start a part further in, so that
// less's :n shows a screen of different rows, as a pane switch does.
func RowsFiles(dir, rowsPath string, n int) ([]string, error) {
	b, err := os.ReadFile(rowsPath)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n")+"\n", "\n")
	lines = lines[:len(lines)-1]
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s has no rows", rowsPath)
	}
	var files []string
	for i := range n {
		at := i * len(lines) / n
		f := filepath.Join(dir, fmt.Sprintf("rows-%d.txt", i+1))
		if err := os.WriteFile(f, []byte(strings.Join(append(slices.Clone(lines[at:]), lines[:at]...), "")), 0o644); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Dial logs in to the target at addr (its own, or a relay's) with a w×h terminal, offering
// only the given key exchanges when kex is set.
func (tg Target) Dial(w, h int, addr string, kex ...string) (*Term, error) {
	return Dial(DialOptions{Addr: addr, User: tg.User, Signer: tg.Signer, W: w, H: h, Command: tg.Command, KeyExchanges: kex,
		OpenSSH: tg.OpenSSH, KeyFile: tg.KeyFile, Env: tg.Env})
}

// SameKex is the key exchange OpenSSH 9.2 agrees on with Go's client. Go's client prefers the
// post-quantum hybrid mlkem768x25519-sha256, which sanbai's Go server accepts and sshd 9.2
// does not offer; its key shares cost about 2.3 KB more, once per login.
const SameKex = "curve25519-sha256"
