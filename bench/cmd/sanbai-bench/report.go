package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"sanbai/bench"
	"sanbai/sshserver"
)

const (
	beginMark = "<!-- bench:begin -->"
	endMark   = "<!-- bench:end -->"
)

// writeDoc replaces what lies between the bench markers in path with md, or appends the
// markers and md when the file has none.
func writeDoc(path, md string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(b)
	block := beginMark + "\n" + md + endMark
	i, j := strings.Index(s, beginMark), strings.Index(s, endMark)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(endMark):]
	} else {
		s += "\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

func down(c bench.Cost) int64 { return c.Down }
func up(c bench.Cost) int64   { return c.Up }

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "—"
		}
		return "∞"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// markdown renders the results.
func (r *results) markdown(args string) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("Measured %s by `make bench` (`go run ./bench/cmd/sanbai-bench %s`), %s in all.\n\n",
		r.when.UTC().Format("2006-01-02 15:04 MST"), args, r.took.Round(time.Second))
	p("- Machine: %s.\n", r.machine)
	p("- Baseline: %s; client: Go's x/crypto/ssh with a PTY (xterm-256color) read through a virtual terminal.\n", r.tools)
	p("- sanbai renderer: %s. Demo township, %d concerns in the Queue; the baseline pages the same rows with `less -S`.\n", r.patch, r.rows)
	p("- Bytes are TCP payload through a loopback relay (SSH framing, MAC and padding included; IP/TCP headers not): ↓ server→client, ↑ client→server. Per-key figures are means; an update is over after %s without output.\n\n", "150 ms")
	for i, ours := range r.ours {
		base := r.base[i]
		var unp *bench.Run
		if i < len(r.unpatched) {
			unp = r.unpatched[i]
		}
		at80 := ours.W == 80 && ours.H == 24
		edgeTarget, hasEdge := bench.EdgeTargets[[2]int{ours.W, ours.H}]
		targets := at80 || hasEdge
		p("### %d×%d\n\n", ours.W, ours.H)
		head := "| measure | sanbai ↓ | sanbai ↑ |"
		sep := "|---|---:|---:|"
		if unp != nil {
			head += " sanbai unpatched ↓ |"
			sep += "---:|"
		}
		head += " sshd+less ↓ | sshd+less ↑ | ratio ↓ |"
		sep += "---:|---:|---:|"
		if targets {
			head += " target | |"
			sep += "---:|---|"
		}
		p("%s\n%s\n", head, sep)
		row := func(name string, o, u, bs bench.Cost, target string, ok *bool) {
			p("| %s | %d | %d |", name, o.Down, o.Up)
			if unp != nil {
				p(" %d |", u.Down)
			}
			p(" %d | %d | %s |", bs.Down, bs.Up, ratio(float64(o.Down), float64(bs.Down)))
			if targets {
				mark := ""
				if ok != nil {
					mark = met(*ok)
				}
				p(" %s | %s |", target, mark)
			}
			p("\n")
		}
		var uh, uf bench.Cost
		if unp != nil {
			uh, uf = unp.Handshake, unp.FirstScreen
		}
		row("handshake (connect → authenticated)", ours.Handshake, uh, base.Handshake, "", nil)
		// The first screen's target is set at 80×24 only.
		firstTarget := func(c bench.Cost) (string, *bool) {
			if !at80 {
				return "", nil
			}
			ok := c.Up+c.Down <= bench.TargetFirstScreen
			return fmt.Sprintf("≤ %d B both ways (ours: %d)", bench.TargetFirstScreen, c.Up+c.Down), &ok
		}
		ft, fok := firstTarget(ours.FirstScreen)
		row("login → first full screen (incl. handshake)", ours.FirstScreen, uf, base.FirstScreen, ft, fok)
		var uk bench.Cost
		if unp != nil {
			uk = unp.FirstScreenKex
		}
		kt, kok := firstTarget(ours.FirstScreenKex)
		row("same, both on "+bench.SameKex+" (the baseline's key exchange)", ours.FirstScreenKex, uk, base.FirstScreenKex, kt, kok)
		for _, act := range []string{bench.ActCursor, bench.ActCursorEdge, bench.ActPage, bench.ActPane, bench.ActBurst, bench.ActRepeat, bench.ActChar, bench.ActCharLater} {
			oc, bs := ours.Samples[act], base.Samples[act]
			if act == bench.ActCursorEdge {
				// less has no cursor; its j is always a one-line scroll.
				bs = base.Samples[bench.ActCursor]
			}
			name := act
			if len(oc) == 0 {
				p("| %s | n/a (no text field yet) | |", name)
				if unp != nil {
					p(" |")
				}
				p(" %.0f | %.0f | — |", bench.Mean(bs, down), bench.Mean(bs, up))
				if targets {
					p(" | |")
				}
				p("\n")
				continue
			}
			o := bench.Cost{Down: int64(bench.Mean(oc, down) + 0.5), Up: int64(bench.Mean(oc, up) + 0.5)}
			bc := bench.Cost{Down: int64(bench.Mean(bs, down) + 0.5), Up: int64(bench.Mean(bs, up) + 0.5)}
			var u bench.Cost
			if unp != nil {
				u.Down = int64(bench.Mean(unp.Samples[act], down) + 0.5)
			}
			target, ok := "", (*bool)(nil)
			if lim, has := bench.Targets[act]; has && at80 {
				v := o.Down <= lim
				target, ok = fmt.Sprintf("≤ %d B", lim), &v
			}
			if act == bench.ActCursorEdge && hasEdge {
				v := o.Down <= edgeTarget
				target, ok = fmt.Sprintf("≤ %d B", edgeTarget), &v
			}
			row(fmt.Sprintf("%s (n=%d)", name, len(oc)), o, u, bc, target, ok)
		}
		var ui bench.Cost
		if unp != nil {
			ui = unp.Idle
		}
		idleTarget := ""
		if at80 {
			idleTarget = "~0"
		}
		row(fmt.Sprintf("idle, %s", ours.IdleWindow.Round(time.Second)), ours.Idle, ui, base.Idle, idleTarget, nil)
		ol, bl := ours.Latencies(), base.Latencies()
		p50, p99 := bench.Quantile(ol, .5), bench.Quantile(ol, .99)
		b50, b99 := bench.Quantile(bl, .5), bench.Quantile(bl, .99)
		p("| key → last byte of update, p50 / p99 (n=%d / %d) | %s / %s | |", len(ol), len(bl), ms(p50), ms(p99))
		if unp != nil {
			p(" |")
		}
		p(" %s / %s | | %s |", ms(b50), ms(b99), ratio(float64(p99), float64(b99)))
		if at80 {
			p(" p99 ≤ %s | %s |", ms(bench.TargetP99), met(p99 <= bench.TargetP99))
		} else if targets {
			p(" | |")
		}
		p("\n")
		if el := ours.EscLatencies(); len(el) > 0 {
			e50, e99 := bench.Quantile(el, .5), bench.Quantile(el, .99)
			p("| lone Esc → last byte of update, p50 / p99 (n=%d) | %s / %s | |", len(el), ms(e50), ms(e99))
			if unp != nil {
				p(" |") // the unpatched build reads sessions through sshinput too
			}
			// less has no Esc of its own to compare: it takes Esc as the start of a command.
			p(" — | | — |")
			if at80 {
				p(" p99 ≤ %s | %s |", ms(bench.TargetEsc), met(e99 <= bench.TargetEsc))
			} else if targets {
				p(" | |")
			}
			p("\n")
		}
		p("\n")
		if at80 && r.rawRun != nil {
			if el := r.rawRun.EscLatencies(); len(el) > 0 {
				p("Read without sshinput (as bubbletea reads a session by itself; bench.MirrorServer with RawInput): lone Esc → update p50 / p99 %s / %s (n=%d).\n\n",
					ms(bench.Quantile(el, .5)), ms(bench.Quantile(el, .99)), len(el))
			}
		}
		if at80 && r.fpsRun != nil {
			fl := r.fpsRun.Latencies()
			f50, f99 := bench.Quantile(fl, .5), bench.Quantile(fl, .99)
			mean := func(act string) float64 { return bench.Mean(r.fpsRun.Samples[act], down) }
			esc := ""
			if el := r.fpsRun.EscLatencies(); len(el) > 0 {
				esc = fmt.Sprintf("; lone Esc p50 / p99 %s / %s (n=%d)", ms(bench.Quantile(el, .5)), ms(bench.Quantile(el, .99)), len(el))
			}
			p("Served at %d frames per second instead of sshserver's %d (`tea.WithFPS(%d)`, same app through bench.MirrorServer): key → update p50 / p99 %s / %s (n=%d)%s; ↓ bytes per cursor move %.0f, page edge %.0f, page %.0f, pane switch %.0f, typing burst %.0f (at %d: %.0f), held key %.0f (at %d: %.0f)%s.\n\n",
				r.fps, sshserver.FPS, r.fps, ms(f50), ms(f99), len(fl), esc, mean(bench.ActCursor), mean(bench.ActCursorEdge), mean(bench.ActPage), mean(bench.ActPane),
				mean(bench.ActBurst), sshserver.FPS, bench.Mean(ours.Samples[bench.ActBurst], down),
				mean(bench.ActRepeat), sshserver.FPS, bench.Mean(ours.Samples[bench.ActRepeat], down), r.fpsIdleText())
		}
		if at80 {
			r.whereBytesGo(&b, ours, base)
		}
	}
	r.leanTable(&b)
	r.openSSH(&b)
	r.paneTable(&b)
	r.memory(&b)
	return b.String()
}

// paneTable renders the per-pane tours: what each kind of key costs in each pane of sanbai,
// in the default and the lean display, beside less and vim paging the Queue's rows, with
// each target's verdict and, when missed, where the bytes of the first such update went.
func (r *results) paneTable(b *strings.Builder) {
	if len(r.panes) < 3 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	ours, lean, bases := r.panes[0], r.panes[1], r.panes[2:]
	p("### Every pane at %d×%d, %s client\n\n", ours.W, ours.H, r.panesClient)
	p("↓ bytes on the wire per key, means (n = samples). Each pane is reached with its number key from the pane before it (1 from 5); its cursor then moves down a row at a time, first inside the page, then at the page edge, where each move scrolls the list by a row (told by the screen: rows that moved up); then PgDn from the bottom row and PgUp from the top, each moving a whole page. ")
	p("The baselines page the Queue's rows (in Chinese, as in pane 3) in files of their own, each file a \"pane\", reached with `:n` (less) and `:bn` (vim); less has no cursor, so its one-line scroll stands for both cursor rows. ")
	p("The targets were set for the Queue (issue 8 for the default display, issue 19 for the lean one, at 80×24) and are applied to every pane; a missed target says where the bytes of its first sample went.\n\n")
	head := "| pane | measure | sanbai ↓ | lean ↓ |"
	sep := "|---|---|---:|---:|"
	for _, bs := range bases {
		head += " " + strings.TrimPrefix(bs.Target, "sshd + ") + " ↓ |"
		sep += "---:|"
	}
	p("%s target: default / lean | |\n%s---|---|\n", head, sep)
	for i, pane := range ours.Panes {
		if i >= len(lean.Panes) {
			break
		}
		lp := lean.Panes[i]
		for _, act := range bench.PaneActs {
			oc, lc := pane.Samples[act], lp.Samples[act]
			p("| %s | %s | %s | %s |", pane.Pane, act, meanN(oc), meanN(lc))
			for _, bs := range bases {
				var cs []bench.Cost
				if i < len(bs.Panes) {
					cs = bs.Panes[i].Samples[act]
					if act == bench.ActCursor && len(cs) == 0 {
						cs = bs.Panes[i].Samples[bench.ActCursorEdge] // no cursor: j scrolls
					}
				}
				p(" %s |", meanN(cs))
			}
			var lims, verdicts []string
			for _, v := range []struct {
				name string
				lim  int64
				pc   bench.PaneCosts
			}{{"default", paneTarget(act), pane}, {"lean", bench.LeanTargets[act], lp}} {
				if v.lim == 0 {
					lims = append(lims, "—")
					continue
				}
				lims = append(lims, fmt.Sprintf("≤ %d B", v.lim))
				verdicts = append(verdicts, v.name+" "+verdict(v.pc, act, v.lim))
			}
			p(" %s | %s |\n", strings.Join(lims, " / "), strings.Join(verdicts, "; "))
		}
	}
	p("\n")
}

// paneTarget is the default display's target for act at 80×24: issue 8's, and for a move at
// the page edge issue 19's.
func paneTarget(act string) int64 {
	if act == bench.ActCursorEdge {
		return bench.EdgeTargets[[2]int{80, 24}]
	}
	return bench.Targets[act]
}

// meanN is a mean of ↓ bytes with its sample count, or "n/a" when the pane had none (a list
// that fits its page does not scroll).
func meanN(cs []bench.Cost) string {
	if len(cs) == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f (n=%d)", bench.Mean(cs, down), len(cs))
}

// verdict says whether the mean of act's samples in pc meets lim, and when it does not, where
// the first sample's bytes went: its output by kind and what SSH added.
func verdict(pc bench.PaneCosts, act string, lim int64) string {
	cs := pc.Samples[act]
	if len(cs) == 0 {
		return "n/a"
	}
	mean := int64(bench.Mean(cs, down) + 0.5)
	if mean <= lim {
		return "met"
	}
	why := ""
	if raw, ok := pc.Raw[act]; ok {
		d := bench.Classify(raw)
		why = fmt.Sprintf(": %d B over; the first one wrote %d B (Chinese text %d B, other text %d B, SGR %d B, moves %d B, %d rows erased), SSH added %d B",
			mean-lim, d.Total, d.Wide, d.Text, d.SGR, d.Move, d.Erases, cs[0].Down-cs[0].Payload)
	}
	return "**missed**" + why
}

// fpsIdleText compares the CPU that the memory run's most idle sessions add to the server at
// the other frame rate with what they add to sshserver's (the servers idle at different
// levels before them: the main one still holds the measured sessions), or says nothing when
// either was not measured.
func (r *results) fpsIdleText() string {
	n := r.fpsIdle[1].Sessions
	if n == 0 || len(r.oursMem) == 0 {
		return ""
	}
	for _, m := range r.oursMem {
		if m.Sessions == n {
			return fmt.Sprintf("; %d idle sessions add %.1f %% of a core (at %d: %.1f %%)", n,
				100*(r.fpsIdle[1].IdleCPU-r.fpsIdle[0].IdleCPU), sshserver.FPS, 100*(m.IdleCPU-r.oursMem[0].IdleCPU))
		}
	}
	return ""
}

// leanTable renders the lean display (SANBAI_LEAN=1) beside the default and less.
func (r *results) leanTable(b *strings.Builder) {
	if len(r.lean) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("### The lean display (SANBAI_LEAN=1, or B)\n\n")
	p("No colour, only bold; the list cursor is its ▸ mark alone. ↓ bytes on the wire per key, means, Go's client.\n\n")
	p("| window | measure | lean ↓ | default ↓ | sshd+less ↓ | lean vs less | target | |\n")
	p("|---|---|---:|---:|---:|---:|---:|---|\n")
	for i, l := range r.lean {
		if i >= len(r.ours) || i >= len(r.base) {
			break
		}
		o, bs := r.ours[i], r.base[i]
		for _, act := range []string{bench.ActCursor, bench.ActCursorEdge, bench.ActPage, bench.ActPane} {
			bact := act
			if act == bench.ActCursorEdge {
				bact = bench.ActCursor // less has no cursor: j is a one-line scroll
			}
			lv, ov, bv := bench.Mean(l.Samples[act], down), bench.Mean(o.Samples[act], down), bench.Mean(bs.Samples[bact], down)
			target, mark := "", ""
			if lim, ok := bench.LeanTargets[act]; ok && l.W == 80 && l.H == 24 {
				target, mark = fmt.Sprintf("≤ %d B", lim), met(int64(lv+0.5) <= lim)
			}
			p("| %d×%d | %s (n=%d) | %.0f | %.0f | %.0f | %s | %s | %s |\n", l.W, l.H, act, len(l.Samples[act]), lv, ov, bv,
				ratio(lv, bv), target, mark)
		}
	}
	p("\n")
}

// openSSH renders both targets measured at 80×24 with the OpenSSH client beside the same
// figures with Go's client: the key exchange and the channel's framing are the client's.
func (r *results) openSSH(b *strings.Builder) {
	if r.oursSSH == nil || r.baseSSH == nil || len(r.ours) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	og, bg := r.ours[0], r.base[0]
	ours, bs := r.oursSSH, r.baseSSH
	p("### 80×24 with the OpenSSH client\n\n")
	p("The same measurements with the OpenSSH client (%s) in a PTY instead of Go's x/crypto/ssh client. OpenSSH negotiates its own key exchange with each server (it offers mlkem768x25519-sha256 first where it has it); its handshake here runs to the first byte of the session, as OpenSSH does not say when it is authenticated.\n\n", r.sshVersion)
	p("| measure | sanbai, OpenSSH ↓ | ↑ | sanbai, Go client ↓ | sshd+less, OpenSSH ↓ | ↑ | sshd+less, Go client ↓ | ratio ↓ (OpenSSH) | target | |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	row := func(name string, o, og, b, bg bench.Cost, target string, ok *bool) {
		mark := ""
		if ok != nil {
			mark = met(*ok)
		}
		p("| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n", name, o.Down, o.Up, og.Down, b.Down, b.Up, bg.Down,
			ratio(float64(o.Down), float64(b.Down)), target, mark)
	}
	first := func(c bench.Cost) (string, *bool) {
		ok := c.Up+c.Down <= bench.TargetFirstScreen
		return fmt.Sprintf("≤ %d B both ways (ours: %d)", bench.TargetFirstScreen, c.Up+c.Down), &ok
	}
	ft, fok := first(ours.FirstScreen)
	row("login → first full screen (incl. handshake)", ours.FirstScreen, og.FirstScreen, bs.FirstScreen, bg.FirstScreen, ft, fok)
	kt, kok := first(ours.FirstScreenKex)
	row("same, both on "+bench.SameKex, ours.FirstScreenKex, og.FirstScreenKex, bs.FirstScreenKex, bg.FirstScreenKex, kt, kok)
	mean := func(r *bench.Run, act string) bench.Cost {
		cs := r.Samples[act]
		if act == bench.ActCursorEdge && len(cs) == 0 {
			cs = r.Samples[bench.ActCursor] // less has no cursor: j is a one-line scroll
		}
		return bench.Cost{Down: int64(bench.Mean(cs, down) + 0.5), Up: int64(bench.Mean(cs, up) + 0.5)}
	}
	for _, act := range []string{bench.ActCursor, bench.ActCursorEdge, bench.ActPage, bench.ActPane} {
		target, ok := "", (*bool)(nil)
		o := mean(ours, act)
		lim, has := bench.Targets[act]
		if act == bench.ActCursorEdge {
			lim, has = bench.EdgeTargets[[2]int{80, 24}]
		}
		if has {
			v := o.Down <= lim
			target, ok = fmt.Sprintf("≤ %d B", lim), &v
		}
		row(fmt.Sprintf("%s (n=%d)", act, len(ours.Samples[act])), o, mean(og, act), mean(bs, act), mean(bg, act), target, ok)
	}
	ol, bl := ours.Latencies(), bs.Latencies()
	p99 := bench.Quantile(ol, .99)
	p("| key → last byte of update, p50 / p99 (n=%d / %d) | %s / %s | | | %s / %s | | | | p99 ≤ %s | %s |\n\n", len(ol), len(bl),
		ms(bench.Quantile(ol, .5)), ms(p99), ms(bench.Quantile(bl, .5)), ms(bench.Quantile(bl, .99)), ms(bench.TargetP99), met(p99 <= bench.TargetP99))
}

// whereBytesGo shows, for the first sample of each action, what the session output was made
// of and what SSH added on top.
func (r *results) whereBytesGo(b *strings.Builder, ours, base *bench.Run) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("Where the bytes of one update go (first sample of each action at %d×%d; session output inside SSH, then what SSH added):\n\n", ours.W, ours.H)
	p("| update | wire ↓ | output | text | CJK (chars) | SGR | moves | erases (EL count) | other | SSH framing ↓ |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, run := range []*bench.Run{ours, base} {
		for _, act := range []string{bench.ActCursor, bench.ActCursorEdge, bench.ActPage, bench.ActPane, bench.ActChar} {
			raw, ok := run.Raw[act]
			if !ok || len(run.Samples[act]) == 0 {
				continue
			}
			c := run.Samples[act][0]
			d := bench.Classify(raw)
			p("| %s: %s | %d | %d | %d | %d (%d) | %d | %d | %d (%d) | %d | %d |\n", run.Target, act, c.Down, d.Total,
				d.Text, d.Wide, d.WideChr, d.SGR, d.Move, d.Erase, d.Erases, d.Other, c.Down-c.Payload)
		}
	}
	p("\n")
}

// memory renders the memory table.
func (r *results) memory(b *strings.Builder) {
	if len(r.oursMem) == 0 || len(r.baseMem) == 0 {
		return // a run of the per-pane tour alone
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("### Memory per idle session (80×24)\n\n")
	p("Sessions are opened, drawn once, and left idle. sanbai is one process: RSS (PSS is the same to within a few KiB). sshd forks per connection and runs less per session: RSS summed over its process tree counts shared libraries once per process, PSS shares them out, so the ratio is taken on PSS. Idle CPU is the share of one core each server's process tree used over the %s after the step's sessions were open (the whole of it, not per session, with the sessions of the measurements above still open on both servers: what a step adds is the difference from the row before).\n\n", r.cpuWindow)
	p("| sessions | sanbai RSS growth | per session | heap per session | goroutines per session | sshd+less RSS growth | PSS growth | PSS per session | processes per session | ratio (RSS vs PSS per session) | idle CPU, sanbai / sshd+less | target | |\n")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for i := 1; i < len(r.oursMem) && i < len(r.baseMem); i++ {
		o, o0 := r.oursMem[i], r.oursMem[0]
		s, s0 := r.baseMem[i], r.baseMem[0]
		n := float64(o.Sessions)
		per := float64(o.Mem.RSS-o0.Mem.RSS) / n
		heap := (float64(o.HeapInuse) - float64(o0.HeapInuse)) / n / 1024
		gor := float64(o.Goroutines-o0.Goroutines) / n
		bpss := float64(s.Mem.PSS-s0.Mem.PSS) / n
		procs := float64(s.Mem.Procs-s0.Mem.Procs) / n
		p("| %d | %d KiB | %.0f KiB | %.0f KiB | %.1f | %d KiB | %d KiB | %.0f KiB | %.1f | %s | %.1f %% / %.1f %% | ≤ %d KiB | %s |\n",
			o.Sessions, o.Mem.RSS-o0.Mem.RSS, per, heap, gor, s.Mem.RSS-s0.Mem.RSS, s.Mem.PSS-s0.Mem.PSS, bpss, procs,
			ratio(per, bpss), 100*o.IdleCPU, 100*s.IdleCPU, bench.TargetRSSPerIdle, met(per <= bench.TargetRSSPerIdle))
	}
	p("\nBefore any session: sanbai %d KiB RSS, %d goroutines; sshd %d KiB RSS.\n\n",
		r.oursMem[0].Mem.RSS, r.oursMem[0].Goroutines, r.baseMem[0].Mem.RSS)
}
