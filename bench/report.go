package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// Targets at 80×24 with Chinese rows (issue 8). Bytes are server→client on the wire, except
// the first screen, which counts both ways because the handshake is both ways.
var Targets = map[string]int64{
	ActCursor: 600,
	ActPage:   1536,
	ActPane:   4096,
}

// Target limits that are not byte counts.
const (
	TargetFirstScreen = 8192 // bytes both ways, handshake included
	TargetP99         = 20 * time.Millisecond
	TargetRSSPerIdle  = 2048 // KiB per added idle session
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

// Latencies returns the latency of every sample that drew an update.
func (r *Run) Latencies() []time.Duration {
	var ds []time.Duration
	for _, cs := range r.Samples {
		for _, c := range cs {
			if c.Updated {
				ds = append(ds, c.Latency)
			}
		}
	}
	return ds
}

// RendererPatch says whether the renderer this binary was built with skips unchanged CJK
// rows, that is whether patches/ultraviolet was applied. It asks the renderer itself (two
// identical frames; the second must cost nothing), since test binaries carry no module list.
func RendererPatch() string {
	var out bytes.Buffer
	r := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
	r.SetFullscreen(true)
	r.SetRelativeCursor(false)
	frame := func() int {
		buf := uv.NewScreenBuffer(20, 2)
		uv.NewStyledString("台账 青石镇\nWX0001 路灯").Draw(buf, buf.Bounds())
		out.Reset()
		r.Render(buf.RenderBuffer)
		_ = r.Flush()
		return out.Len()
	}
	frame()
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/charmbracelet/ultraviolet" {
				version = " " + d.Version
			}
		}
	}
	if frame() == 0 {
		return "ultraviolet" + version + " with patches/ultraviolet (unchanged CJK rows are skipped)"
	}
	return "ultraviolet" + version + " unpatched (every CJK row is repainted on every frame)"
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
	return sshd + ", " + less
}
