package bench

import (
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Pane is one screen of a target that the per-pane tour visits: a pane of sanbai, or one file
// of the same rows in less or vim.
type Pane struct {
	// Name is how the report names it ("1 线路").
	Name string
	// Key shows it, from whichever pane the tour was on: a measured pane switch.
	Key string
}

// PaneCosts are what the keys typed in one pane cost: a cursor move inside the page, a cursor
// move that scrolls the list by a row, a page, and the switch into the pane, by action name
// (ActCursor, ActCursorEdge, ActPage, ActPane). Raw holds the output of the first sample of
// each, for the report's reasons.
type PaneCosts struct {
	Pane    string            // the pane's name, as Pane.Name
	Samples map[string][]Cost // the costs of the keys that drew something, by action
	Raw     map[string][]byte // the session output of each action's first sample
}

// PaneRun is a target's tour of its panes at one window size.
type PaneRun struct {
	Target string      // the target's name
	W, H   int         // the window
	Panes  []PaneCosts // in the order of the tour
}

// PaneActs are the actions the tour measures in each pane, in the report's order.
var PaneActs = []string{ActCursor, ActCursorEdge, ActPage, ActPane}

// MeasurePanes logs in to the target at w×h, types tg.Keys.Warm, then visits each of
// tg.Keys.Tour in turn: the switch into the pane, cursor moves down one row at a time from
// where the pane's cursor is until o.Cursor moves inside the page and o.Edge moves that
// scrolled the list have been measured (or the list ends), then o.Pages page keys, PgDn from
// the bottom row and PgUp from the top in turn, as Measure types them. Whether a move scrolled
// the list is read off the screen, not off the target's output: rows that moved up by one.
// So it works alike for any target, and a pane whose list fits its page has no edge samples.
func MeasurePanes(tg Target, w, h int, o Options) (*PaneRun, error) {
	relay, err := NewRelay(tg.Addr)
	if err != nil {
		return nil, err
	}
	r := &Run{Target: tg.Name, W: w, H: h, relay: relay}
	defer r.Close()
	if tg.PerRunUser {
		tg.User = fmt.Sprintf("%s-panes-%dx%d", tg.User, w, h)
	}
	start := time.Now()
	if r.term, err = tg.Dial(w, h, relay.Addr()); err != nil {
		return nil, err
	}
	if err := tg.Ready(r.term); err != nil {
		return nil, err
	}
	relay.WaitQuiet(start, 4*o.Quiet, 10*time.Second)
	tour := tg.Keys.Tour
	if len(tour) == 0 {
		return nil, fmt.Errorf("%s: no panes to tour", tg.Name)
	}
	for _, k := range tg.Keys.Warm {
		r.key(k, o.Quiet)
	}
	// Start on the last pane, so that the switch into the first is a switch too.
	r.key(tour[len(tour)-1].Key, o.Quiet)
	pr := &PaneRun{Target: tg.Name, W: w, H: h}
	for _, pane := range tour {
		pc := PaneCosts{Pane: pane.Name, Samples: map[string][]Cost{}, Raw: map[string][]byte{}}
		// step types keys and keeps the cost as a sample of act, and its output if it is the
		// first; it returns the cost and whether the list scrolled.
		step := func(act, keys string) (Cost, bool) {
			before := r.term.Screen()
			r.term.Record()
			c := r.key(keys, o.Quiet)
			raw := r.term.Recorded()
			scrolled := ScrolledUp(before, r.term.Screen())
			if act == ActCursor && scrolled {
				act = ActCursorEdge
			}
			if c.Updated {
				if _, ok := pc.Raw[act]; !ok {
					pc.Raw[act] = raw
				}
				pc.Samples[act] = append(pc.Samples[act], c)
			}
			return c, scrolled
		}
		step(ActPane, pane.Key)
		inPage, edge := 0, 0 // moves measured
		atEdge := false      // the cursor is on the page's bottom row: every move scrolls
		for range 3 * h {
			// Done when both kinds are measured, or, for a target whose every move scrolls
			// (less has no cursor), when as many moves as both kinds ask for are.
			if edge >= o.Edge && (inPage >= o.Cursor || atEdge && inPage+edge >= o.Cursor+o.Edge) {
				break
			}
			if inPage >= o.Cursor && !atEdge {
				// Enough moves inside the page: those on to the page edge are typed, not
				// measured, and watched for the first scroll.
				before := r.term.Screen()
				if c := r.key(tg.Keys.Down, o.Quiet); !c.Updated {
					break // the list ended inside the page
				}
				atEdge = ScrolledUp(before, r.term.Screen())
				continue
			}
			c, scrolled := step(ActCursor, tg.Keys.Down)
			if !c.Updated {
				break
			}
			if scrolled {
				atEdge = true
				edge++
			} else {
				inPage++
			}
		}
		for i := 0; i < o.Pages; i++ {
			if i%2 == 0 {
				step(ActPage, tg.Keys.PageDown)
				r.key(tg.Keys.PageUp, o.Quiet)
			} else {
				step(ActPage, tg.Keys.PageUp)
				r.key(tg.Keys.PageDown, o.Quiet)
			}
		}
		if o.Logf != nil {
			for _, act := range PaneActs {
				var ds []int64
				for _, c := range pc.Samples[act] {
					ds = append(ds, c.Down)
				}
				o.Logf("%s %d×%d pane %s, %s: %v bytes down", tg.Name, w, h, pane.Name, act, ds)
			}
		}
		pr.Panes = append(pr.Panes, pc)
	}
	return pr, nil
}

// ScrolledUp reports whether the screen after shows the screen before moved up by one row
// in at least three rows that changed: a list scrolled by a row, whatever drew it.
func ScrolledUp(before, after string) bool {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	n := 0
	for i := 0; i+1 < len(b) && i < len(a); i++ {
		if a[i] != b[i] && a[i] == b[i+1] && strings.TrimSpace(a[i]) != "" {
			n++
		}
	}
	return n >= 3
}

// VimCommand runs vim over the files as a pager with nothing of its own configuration: read
// only, no swap file, no vimrc or plugins (-u NONE) but not vi-compatible (-N), long rows cut
// at the window (nowrap) as less -S does. vim is found as vim or vim.tiny (bench/setup.sh
// installs vim-tiny when neither is there); "" when neither is.
func VimCommand(files ...string) string {
	vim := ""
	for _, name := range []string{"vim", "vim.tiny"} {
		if path, err := exec.LookPath(name); err == nil {
			vim = path
			break
		}
	}
	if vim == "" {
		return ""
	}
	return "LANG=C.UTF-8 exec " + vim + " -R -n -u NONE -N -c 'set nowrap' " + quoteFiles(files)
}
