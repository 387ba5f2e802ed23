package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer a child process and the test may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestShutdownWhileSessionsLoad: sanbai serve gets SIGTERM while sessions keep switching panes
// (each switch loads the pane's data from the store). The server must end every session (each
// is told why), then close the store, which waits for the loads still reading it, and exit 0
// with no panic on its standard error: a load still running when the store closed used to
// panic with Badger's "DB Closed" (store.TestCloseUnderLoad shows that race directly; here the
// signal rarely lands in it). A few rounds, the signal landing at a different moment in each.
func TestShutdownWhileSessionsLoad(t *testing.T) {
	bin := buildSanbai(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "demo", "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	key, keyLine := newKey(t)
	if out, err := exec.Command(bin, "user", "add", "--data", dir, "--name", "李明", "--role", "township",
		"--key", strings.TrimSpace(keyLine)).CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	for round, busy := range []time.Duration{0, 150 * time.Millisecond, 600 * time.Millisecond} {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "--data", dir, "--listen", addr)
		cmd.Env = append(os.Environ(), "SANBAI_KEY=", "SANBAI_KEY_FILE=")
		stderr := &lockedBuffer{}
		cmd.Stderr = stderr
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		listening := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "listening on") {
					close(listening)
				}
			}
			exited <- cmd.Wait()
		}()
		select {
		case <-listening:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("round %d: the server did not start; stderr:\n%s", round, stderr.String())
		}
		s := &server{addr: addr}
		var terms []*term
		for i := 0; i < 4; i++ {
			terms = append(terms, s.open(t, key, 80, 24, nil))
		}
		for _, tm := range terms {
			tm.waitText("覆盖  户")
		}
		// Every session switches panes as fast as it can until its connection goes.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, tm := range terms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					case <-tm.closed:
						return
					default:
					}
					if _, err := tm.stdin.Write([]byte{"12345"[i%5]}); err != nil {
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
		}
		time.Sleep(busy)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		var err error
		select {
		case err = <-exited:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("round %d: the server did not exit within 60 s of SIGTERM; stderr:\n%s", round, stderr.String())
		}
		close(stop)
		wg.Wait()
		log := stderr.String()
		if err != nil {
			t.Fatalf("round %d: the server exited with %v; stderr:\n%s", round, err, log)
		}
		for _, bad := range []string{"panic", "DB Closed", "DATA RACE"} {
			if strings.Contains(log, bad) {
				t.Fatalf("round %d: %q on the server's stderr:\n%s", round, bad, log)
			}
		}
		if !strings.Contains(log, "shutting down") {
			t.Fatalf("round %d: no shutdown line on the server's stderr:\n%s", round, log)
		}
		if !strings.Contains(log, "sessions ended") {
			t.Fatalf("round %d: the store was closed before the sessions ended:\n%s", round, log)
		}
		// Every session was ended by the server, and told why, not cut off.
		for i, tm := range terms {
			select {
			case <-tm.closed:
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d: session %d still open after the server exited; screen:\n%s", round, i, tm.screen())
			}
			if scr := tm.screen(); !strings.Contains(scr, "服务器正在关闭") {
				t.Fatalf("round %d: session %d was not told the server is shutting down; screen:\n%s", round, i, scr)
			}
		}
	}
}
