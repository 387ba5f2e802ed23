package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sanbai/demo"
	"sanbai/sshserver"
	"sanbai/store"
)

// ChildEnv, when set in the environment, makes the bench program serve sanbai instead of
// measuring it: the server runs in a process of its own, so its memory is not mixed with the
// clients'. The value is the data directory.
const ChildEnv = "SANBAI_BENCH_CHILD"

// FPSEnv, when set for the server process, serves the app through MirrorServer at that frame
// rate instead of through sshserver, to measure what the frame rate changes.
const FPSEnv = "SANBAI_BENCH_FPS"

// RawInputEnv, when set for the server process, serves the app through MirrorServer reading
// the session without sshinput, to measure what a lone Esc cost before it.
const RawInputEnv = "SANBAI_BENCH_RAW_INPUT"

// Stats is what the server process reports about itself.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse"`
}

// ServeChild runs the sanbai server over the demo township in dir and answers the parent's
// commands on stdin, one per line, until stdin closes:
//
//	stats            → Stats as JSON
//	rows PATH        → writes the Queue's rows as plain text lines, answers "ok"
//	free             → returns freed memory to the OS, answers "ok"
//	profile PATH     → starts a CPU profile, answers "ok"
//	stop             → stops it, answers "ok"
//	heap PATH        → writes a heap profile, answers "ok"
func ServeChild(dir string, stdin io.Reader, stdout io.Writer) error {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := demo.Seed(context.Background(), st); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var srv interface {
		Serve(net.Listener) error
		Close() error
	}
	fps, _ := strconv.Atoi(os.Getenv(FPSEnv))
	if raw := os.Getenv(RawInputEnv) != ""; fps > 0 || raw {
		srv, err = MirrorServer(st, l.Addr().String(), filepath.Join(dir, "host_ed25519"), MirrorOptions{FPS: fps, RawInput: raw})
	} else {
		srv, err = sshserver.New(sshserver.Config{Store: st, Listen: l.Addr().String(),
			HostKeyPath: filepath.Join(dir, "host_ed25519"), Demo: true,
			// The memory figures open 100 sessions from one address and one user, ten
			// handshakes at a time; the caps on those are a defence, not what is measured.
			MaxConns: 1000, MaxConnsPerIP: 1000, MaxPending: 1000, MaxPendingPerIP: 1000,
			MaxSessionsPerUser: 1000})
	}
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	fmt.Fprintf(stdout, "addr %s\n", l.Addr())
	in := bufio.NewScanner(stdin)
	var prof *os.File
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "stats":
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b, _ := json.Marshal(Stats{Goroutines: runtime.NumGoroutine(), HeapInuse: ms.HeapInuse})
			fmt.Fprintf(stdout, "%s\n", b)
		case "rows":
			err := writeRows(st, arg)
			fmt.Fprintln(stdout, errOr(err))
		case "free":
			debug.FreeOSMemory()
			fmt.Fprintln(stdout, "ok")
		case "profile":
			f, err := os.Create(arg)
			if err == nil {
				prof = f
				err = pprof.StartCPUProfile(f)
			}
			fmt.Fprintln(stdout, errOr(err))
		case "heap":
			runtime.GC()
			f, err := os.Create(arg)
			if err == nil {
				err = pprof.WriteHeapProfile(f)
				f.Close()
			}
			fmt.Fprintln(stdout, errOr(err))
		case "stop":
			pprof.StopCPUProfile()
			if prof != nil {
				prof.Close()
			}
			fmt.Fprintln(stdout, "ok")
		default:
			fmt.Fprintf(stdout, "error unknown command %q\n", cmd)
		}
	}
	return in.Err()
}

func errOr(err error) string {
	if err != nil {
		return "error " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	return "ok"
}

// Labels in the Queue pane's words, so the baseline shows the same text the app does.
var (
	tierZH   = map[store.Tier]string{store.TierOnSite: "现场", store.TierGrid: "网格", store.TierVillage: "新村", store.TierTownship: "镇"}
	tagZH    = map[store.Tag]string{store.TagRed: "红", store.TagYellow: "黄", store.TagGreen: "绿"}
	statusZH = map[store.Status]string{store.StatusNew: "新", store.StatusPlanned: "已计划", store.StatusInProgress: "办理中",
		store.StatusResolved: "已办结", store.StatusClosed: "已销号", store.StatusReopened: "重新打开"}
)

// writeRows writes every concern as one line with the Queue's columns (ID, tier, tag, grid,
// description, owner, deadline, status), which is what `less` shows in the baseline.
func writeRows(st *store.Store, path string) error {
	a := store.System()
	rows, err := st.Concerns(context.Background(), a)
	if err != nil {
		return err
	}
	grids := map[string]string{}
	gs, err := st.Grids(context.Background(), a)
	if err != nil {
		return err
	}
	for _, g := range gs {
		grids[g.Code] = g.Name
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	var b strings.Builder
	for _, c := range rows {
		deadline := c.Plan.Deadline
		if len(deadline) == len("2006-01-02") {
			deadline = deadline[5:]
		}
		desc := strings.ReplaceAll(c.Description, "\n", " ")
		fmt.Fprintf(&b, "%-8s %s %s %s %s %s %s %s\n", c.ID, tierZH[c.Tier], tagZH[c.Tag], grids[c.Grid],
			desc, c.Plan.Owner, deadline, statusZH[c.Status])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Child is a running sanbai server process started by StartChild.
type Child struct {
	Addr string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	mu   sync.Mutex
}

// StartChild starts bin (a build of the bench program) as a sanbai server over a fresh demo
// store in dir; env is added to its environment.
func StartChild(bin, dir string, env ...string) (*Child, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), env...), ChildEnv+"="+dir)
	// The server's own log (a line per session, wish's notes on closed programs) goes to a
	// file beside its data, not into the table's output.
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stderr = logf
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &Child{cmd: cmd, in: in, out: bufio.NewScanner(outp)}
	line, err := c.line()
	if err != nil {
		c.Stop()
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("server process: %w\n%s", err, log)
	}
	addr, ok := strings.CutPrefix(line, "addr ")
	if !ok {
		c.Stop()
		return nil, fmt.Errorf("server process said %q", line)
	}
	c.Addr = addr
	return c, nil
}

func (c *Child) line() (string, error) {
	if !c.out.Scan() {
		if err := c.out.Err(); err != nil {
			return "", err
		}
		return "", io.ErrUnexpectedEOF
	}
	return c.out.Text(), nil
}

// Do sends one command and returns the answer line.
func (c *Child) Do(cmd string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintln(c.in, cmd); err != nil {
		return "", err
	}
	ans, err := c.line()
	if err != nil {
		return "", err
	}
	if msg, bad := strings.CutPrefix(ans, "error "); bad {
		return "", fmt.Errorf("%s: %s", cmd, msg)
	}
	return ans, nil
}

// Stats asks the server for its goroutine count and heap.
func (c *Child) Stats() (Stats, error) {
	var s Stats
	ans, err := c.Do("stats")
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(ans), &s)
}

// Pid is the server's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Stop ends the server process.
func (c *Child) Stop() {
	c.in.Close()
	waitOrKill(c.cmd, 5)
}

// waitOrKill waits for cmd to end, and kills it if it has not within seconds.
func waitOrKill(cmd *exec.Cmd, seconds int) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-timeAfter(seconds):
		_ = cmd.Process.Kill()
		<-done
	}
}
