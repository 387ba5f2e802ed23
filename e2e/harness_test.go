// Package e2e drives the real SSH server end to end: it starts sanbai on a random loopback
// port over a real Badger store, dials it with Go's SSH client asking for a PTY, types keys,
// and reads the screen back through a virtual terminal.
package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"sanbai/admin"
	"sanbai/demo"
	"sanbai/sshserver"
	"sanbai/store"
)

// server is a running sanbai server for one test.
type server struct {
	st   *store.Store
	addr string
	srv  *sshserver.Server
}

// startServer opens a store in a temp dir, seeds the demo township and serves it on a random
// loopback port until the test ends.
func startServer(t *testing.T, demoMode bool, tweak ...func(*sshserver.Config)) *server {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := sshserver.Config{Store: st, Listen: l.Addr().String(),
		HostKeyPath: filepath.Join(dir, "host_ed25519"), Demo: demoMode}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := sshserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &server{st: st, addr: l.Addr().String(), srv: srv}
}

// newKey makes a fresh ed25519 key pair and returns the signer and its authorized-key line.
func newKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
}

// addUser registers a user with a fresh key and returns the key.
func (s *server) addUser(t *testing.T, name string, role store.Role, scope string) gossh.Signer {
	t.Helper()
	signer, line := newKey(t)
	u, err := admin.WithKeys(store.User{Name: name, Role: role}, line)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.AddUser(t.Context(), store.System(), u, scope); err != nil {
		t.Fatal(err)
	}
	return signer
}

// dial connects with the given auth methods.
func (s *server) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", s.addr, &gossh.ClientConfig{
		User:            "tester",
		Auth:            auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

// term is an interactive session with a virtual terminal reading its output.
type term struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	mu     sync.Mutex
	emu    *vt.Emulator
	bytes  int
	last   time.Time // when the last bytes from the server arrived
	// raw keeps what the server sent, escape sequences and all (its first rawLimit bytes).
	raw    []byte
	closed chan struct{}
}

// open starts an interactive session of w×h with the given key.
func (s *server) open(t *testing.T, signer gossh.Signer, w, h int, env map[string]string) *term {
	t.Helper()
	return s.openCmd(t, signer, w, h, env, "")
}

// openCmd is open running a command (such as "follow 李明") with the PTY instead of a shell.
func (s *server) openCmd(t *testing.T, signer gossh.Signer, w, h int, env map[string]string, cmd string) *term {
	t.Helper()
	client, err := s.dial(gossh.PublicKeys(signer))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	// TERM in env is the terminal type the PTY request names, as a client's terminal sends it.
	termType := "xterm-256color"
	for k, v := range env {
		if k == "TERM" {
			termType = v
			continue
		}
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.RequestPty(termType, h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: client, sess: sess, stdin: stdin, emu: vt.NewEmulator(w, h), closed: make(chan struct{})}
	if cmd == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(cmd)
	}
	if err != nil {
		t.Fatal(err)
	}
	// The terminal's answers to queries go back to the server, as a real terminal's would;
	// the emulator blocks if nobody reads them.
	go io.Copy(stdin, readerFunc(tm.emu.Read))
	go func() {
		defer close(tm.closed)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				tm.mu.Lock()
				tm.bytes += n
				tm.last = time.Now()
				if len(tm.raw) < rawLimit {
					tm.raw = append(tm.raw, buf[:min(n, rawLimit-len(tm.raw))]...)
				}
				tm.emu.Write(buf[:n])
				tm.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(tm.close)
	return tm
}

// rawLimit bounds what a session keeps of the server's bytes (term.raw).
const rawLimit = 4 << 20

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
}

// screen returns the screen as text, one line per row.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// send types keys: plain text, or one of the names below.
func (tm *term) send(keys ...string) {
	tm.t.Helper()
	names := map[string]string{"enter": "\r", "esc": "\x1b", "tab": "\t", "up": "\x1b[A", "down": "\x1b[B", "ctrl+c": "\x03",
		"right": "\x1b[C", "left": "\x1b[D", "shift+tab": "\x1b[Z", "space": " ", "ctrl+n": "\x0e", "ctrl+s": "\x13"}
	for _, k := range keys {
		if s, ok := names[k]; ok {
			k = s
		}
		if _, err := tm.stdin.Write([]byte(k)); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
	}
}

// waitDeadline is how long waitFor waits for a screen. A passing wait returns as soon as the
// screen is right, so only a failing test pays for it; it is generous because the tests run
// under the race detector on a 2-core machine shared with other builds, where the 10 s it
// used to be leaves little room for a first load or an export competing for the cores.
const waitDeadline = 60 * time.Second

// waitFor waits until the screen satisfies ok, failing the test with the screen after
// waitDeadline. ok sees the screen as the emulator holds it, which may be half-way through a
// frame: it must not fail the test on what it sees, only say no.
func (tm *term) waitFor(what string, ok func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			// Whether the server was still drawing tells a slow screen from one never sent.
			tm.mu.Lock()
			n, last := tm.bytes, tm.last
			tm.mu.Unlock()
			tm.t.Fatalf("timed out waiting for %s (%d bytes from the server, the last %v ago); screen:\n%s",
				what, n, time.Since(last).Round(time.Millisecond), s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until every string appears on the screen.
func (tm *term) waitText(texts ...string) string {
	tm.t.Helper()
	return tm.waitFor(strings.Join(texts, ", "), func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// selected returns the concern ID on the cursor row (the line with ▸), or "" when there is
// none on the screen yet (the rows are not loaded, or the frame is half drawn).
func selected(screen string) string { return idRE.FindString(line(screen, "▸")) }

// waitSelected waits until a concern is selected on the screen and returns the screen.
func (tm *term) waitSelected() string {
	tm.t.Helper()
	return tm.waitFor("a selected concern", func(s string) bool { return selected(s) != "" })
}

// line returns the first screen line containing sub.
func line(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// timeout returns a channel closed after n seconds.
func timeout(n int) <-chan time.Time { return time.After(time.Duration(n) * time.Second) }
