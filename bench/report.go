package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// Targets at 80×24 with Chinese rows (issue 8). Bytes are server→client on the wire, except
// the first screen, which counts both ways because the handshake is both ways.
var Targets = map[string]int64{
	ActCursor: 600,
	ActPage:   1536,
	ActPane:   4096,
}

// EdgeTargets are the bytes a cursor move at the page edge may cost, by window (issue 19):
// the list scrolls by one row, which the terminal can do itself, so the update should cost
// about the rows that changed, as less's one-line scroll does.
var EdgeTargets = map[[2]int]int64{
	{80, 24}:  400,
	{120, 40}: 500,
}

// LeanTargets are the lean display's at 80×24 (issue 19, part 2): a cursor move at par with
// less, a page under its default's.
var LeanTargets = map[string]int64{
	ActCursor: 160,
	ActPage:   2200,
}

// Target limits that are not byte counts.
const (
	TargetFirstScreen = 8192 // bytes both ways, handshake included
	TargetP99         = 20 * time.Millisecond
	// TargetEsc is how soon a lone Esc must act: within a frame, like any other key (issue 19;
	// it took 62–80 ms while the input decoder waited to see whether a sequence followed).
	TargetEsc        = 20 * time.Millisecond
	TargetRSSPerIdle = 2048 // KiB per added idle session
)

// Mean returns the mean of f over the costs.
func Mean(cs []Cost, f func(Cost) int64) float64 {
	if len(cs) == 0 {
		return 0
	}
	var s int64
	for _, c := range cs {
		s += f(c)
	}
	return float64(s) / float64(len(cs))
}

// Latencies returns the latency of every sample that drew an update, but the lone Escs',
// which EscLatencies reports apart: they wait on the input decoder, not on the frame clock;
// and the typing bursts', whose time is mostly the typing.
func (r *Run) Latencies() []time.Duration {
	var ds []time.Duration
	for act, cs := range r.Samples {
		if act == ActEsc || act == ActBurst || act == ActRepeat {
			continue
		}
		for _, c := range cs {
			if c.Updated {
				ds = append(ds, c.Latency)
			}
		}
	}
	return ds
}

// EscLatencies returns the latency of every lone Esc that drew an update.
func (r *Run) EscLatencies() []time.Duration {
	var ds []time.Duration
	for _, c := range r.Samples[ActEsc] {
		if c.Updated {
			ds = append(ds, c.Latency)
		}
	}
	return ds
}

// RendererPatch says which of patches/ultraviolet the renderer this binary was built with
// has, and whether keys are drawn when read (patches/ultraviolet 0005 with patches/bubbletea).
func RendererPatch() string {
	s := rendererPatch()
	// The reader's MarkReads is what bubbletea's patch sets; looked up by name, as the
	// unpatched build has no such field.
	if _, ok := reflect.TypeFor[uv.TerminalReader]().FieldByName("MarkReads"); ok {
		s += "; keys drawn when read, not at the next frame (patches/bubbletea)"
	}
	return s
}

// rendererPatch says which of patches/ultraviolet 0001 to 0004 the renderer has. It asks the
// renderer itself, since test binaries carry no module list.
func rendererPatch() string {
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/charmbracelet/ultraviolet" {
				version = " " + d.Version
			}
		}
	}
	switch skips, keeps, prefix, wrap := SkipsUnchangedRows(), ScrollKeepsRows(), DiffsWidePrefix(), WrapsOncePerRun(); {
	case skips && keeps && prefix && wrap:
		return "ultraviolet" + version + " with patches/ultraviolet (unchanged CJK rows are skipped, rows a scroll moved are kept, a CJK row's narrow start is diffed, autowrap is turned off once for a run of CJK rows)"
	case skips && keeps && prefix:
		return "ultraviolet" + version + " with patches/ultraviolet 0001 to 0003 (unchanged CJK rows are skipped, rows a scroll moved are kept, a CJK row's narrow start is diffed)"
	case skips && keeps:
		return "ultraviolet" + version + " with patches/ultraviolet 0001 and 0002 (unchanged CJK rows are skipped, rows a scroll moved are kept; a changed CJK row is repainted from column 0)"
	case skips:
		return "ultraviolet" + version + " with patches/ultraviolet 0001 only (unchanged CJK rows are skipped; rows a scroll moved are repainted)"
	default:
		return "ultraviolet" + version + " unpatched (every CJK row is repainted on every frame)"
	}
}

// probeRenderer draws each frame (rows of a 20-column screen) in turn with the renderer as
// bubbletea sets it up for a session, and returns what it wrote for the last one: the probes
// below tell the patches apart by what the renderer does, not by a version string.
func probeRenderer(frames ...[]string) string {
	var out bytes.Buffer
	r := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
	r.SetFullscreen(true)
	r.SetRelativeCursor(false)
	r.SetScrollOptim(true)
	for _, lines := range frames {
		buf := uv.NewScreenBuffer(20, len(lines))
		uv.NewStyledString(strings.Join(lines, "\n")).Draw(buf, buf.Bounds())
		out.Reset()
		r.Render(buf.RenderBuffer)
		_ = r.Flush()
	}
	return out.String()
}

// SkipsUnchangedRows reports whether the renderer leaves an unchanged CJK row alone
// (patches/ultraviolet 0001): a frame drawn twice must cost nothing the second time.
func SkipsUnchangedRows() bool {
	frame := []string{"台账 青石镇", "WX0001 路灯"}
	return probeRenderer(frame, frame) == ""
}

// ScrollKeepsRows reports whether the renderer leaves the CJK rows a hardware scroll moved
// alone (patches/ultraviolet 0002): a list under a header scrolled by one row must not write
// the rows that only moved.
func ScrollKeepsRows() bool {
	frame := func(first int) []string {
		lines := []string{"台账", "编号"}
		for i := first; i < first+6; i++ {
			lines = append(lines, fmt.Sprintf("WX%04d 路灯不亮", i))
		}
		return append(lines, "────")
	}
	return !strings.Contains(probeRenderer(frame(0), frame(1)), "WX0003")
}

// DiffsWidePrefix reports whether the renderer writes a change in the narrow columns before a
// CJK row's first wide character as those cells alone (patches/ultraviolet 0003): moving a ▸
// mark between two Chinese rows must not write the rows again.
func DiffsWidePrefix() bool {
	out := probeRenderer([]string{"▸ WX0001 路灯", "  WX0002 水管"}, []string{"  WX0001 路灯", "▸ WX0002 水管"})
	return strings.Contains(out, "▸") && !strings.Contains(out, "WX")
}

// WrapsOncePerRun reports whether the renderer turns autowrap off once for a run of CJK rows
// it repaints, not around each (patches/ultraviolet 0004).
func WrapsOncePerRun() bool {
	out := probeRenderer([]string{"台账 1", "路灯 1", "水管 1"}, []string{"台账 2", "路灯 2", "水管 2"})
	return strings.Count(out, ansi.ResetModeAutoWrap) == 1
}

// Machine describes the machine without naming anything on its disk.
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	osName := "Linux"
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	return fmt.Sprintf("%s, %d cores%s; %s, kernel %s; %s", cpu, runtime.NumCPU(), mem, osName,
		strings.TrimSpace(string(kernel)), runtime.Version())
}

// ToolVersions names the baseline's sshd and less.
func ToolVersions() string {
	out, _ := exec.Command(SSHDPath, "-V").CombinedOutput()
	sshd := strings.TrimSpace(strings.SplitN(string(out), ",", 2)[0])
	out, _ = exec.Command("less", "--version").Output()
	less := strings.TrimSpace(strings.SplitN(string(out), "(", 2)[0])
	tools := sshd + ", " + less
	for _, name := range []string{"vim", "vim.tiny"} {
		if out, err := exec.Command(name, "--version").Output(); err == nil {
			// "VIM - Vi IMproved 9.0 (2022 Jun 28, …)" → "vim 9.0"
			if f := strings.Fields(strings.SplitN(string(out), "(", 2)[0]); len(f) > 0 {
				tools += ", " + name + " " + f[len(f)-1]
			}
			break
		}
	}
	return tools
}
