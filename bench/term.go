package bench

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// NewSigner makes a fresh ed25519 client key.
func NewSigner() (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return gossh.NewSignerFromKey(priv)
}

// Term is an interactive SSH session with a PTY whose output is played into a virtual
// terminal, as a person's terminal would show it.
type Term struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	done   chan struct{}
	// cmd and ptmx are the OpenSSH client and its PTY, when it is the client (dialOpenSSH).
	cmd   *exec.Cmd
	ptmx  *os.File
	first chan struct{} // closed at the first byte of output, when not nil

	// Handshake is the time from dialling to an authenticated connection.
	Handshake time.Duration

	mu      sync.Mutex
	emu     *vt.Emulator
	payload int64 // bytes of session output, after SSH took its framing off
	rec     *bytes.Buffer
}

// DialOptions say how to open a Term.
type DialOptions struct {
	Addr   string
	User   string
	Signer gossh.Signer
	W, H   int
	// Command is run instead of the login shell when set.
	Command string
	// KeyExchanges restricts the client's key exchange algorithms when set.
	KeyExchanges []string
	// OpenSSH, when set, is the path of the OpenSSH client to log in with instead of Go's,
	// with the private key in KeyFile.
	OpenSSH, KeyFile string
	// Env is sent to the server as KEY=VALUE environment requests (OpenSSH's SetEnv).
	Env []string
}

// Dial connects, authenticates, asks for a PTY of W×H and starts the shell or command.
func Dial(o DialOptions) (*Term, error) {
	if o.OpenSSH != "" {
		return dialOpenSSH(o)
	}
	start := time.Now()
	conn, err := net.DialTimeout("tcp", o.Addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	cfg := &gossh.ClientConfig{
		User:            o.User,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(o.Signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // loopback, a server the harness started
		Timeout:         10 * time.Second,
	}
	cfg.KeyExchanges = o.KeyExchanges
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	c, chans, reqs, err := gossh.NewClientConn(conn, o.Addr, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	t := &Term{client: gossh.NewClient(c, chans, reqs), Handshake: time.Since(start),
		emu: vt.NewEmulator(o.W, o.H), done: make(chan struct{})}
	if err := t.start(o); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

func (t *Term) start(o DialOptions) error {
	sess, err := t.client.NewSession()
	if err != nil {
		return err
	}
	t.sess = sess
	for _, kv := range o.Env {
		k, v, _ := strings.Cut(kv, "=")
		if err := sess.Setenv(k, v); err != nil {
			return err
		}
	}
	if err := sess.RequestPty("xterm-256color", o.H, o.W, gossh.TerminalModes{}); err != nil {
		return err
	}
	if t.stdin, err = sess.StdinPipe(); err != nil {
		return err
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return err
	}
	if o.Command != "" {
		err = sess.Start(o.Command)
	} else {
		err = sess.Shell()
	}
	if err != nil {
		return err
	}
	// The terminal's answers to the application's queries go back up, as a real terminal's
	// would; the emulator blocks if nobody reads them.
	go func() { _, _ = io.Copy(t.stdin, readerFunc(t.emu.Read)) }()
	go t.read(stdout)
	return nil
}

// read plays the session's output into the emulator until it ends.
func (t *Term) read(stdout io.Reader) {
	defer close(t.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := stdout.Read(buf)
		if n > 0 {
			t.mu.Lock()
			if t.payload == 0 && t.first != nil {
				close(t.first)
			}
			t.payload += int64(n)
			if t.rec != nil {
				t.rec.Write(buf[:n])
			}
			_, _ = t.emu.Write(buf[:n])
			t.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// readerFunc turns a read function into an io.Reader.
type readerFunc func([]byte) (int, error)

// Read calls f.
func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// Send types raw bytes, e.g. "j" or "\x1b[6~".
func (t *Term) Send(keys string) error {
	_, err := t.stdin.Write([]byte(keys))
	return err
}

// Resize changes the window: the terminal first, as a real one does, then tells the server.
func (t *Term) Resize(w, h int) error {
	t.mu.Lock()
	t.emu.Resize(w, h)
	t.mu.Unlock()
	if t.ptmx != nil {
		// The OpenSSH client tells the server on SIGWINCH, as it does for a person.
		return pty.Setsize(t.ptmx, &pty.Winsize{Rows: uint16(h), Cols: uint16(w)})
	}
	return t.sess.WindowChange(h, w)
}

// Screen returns the screen as text, one line per row.
func (t *Term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.String()
}

// Payload returns the session output received so far, in bytes.
func (t *Term) Payload() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.payload
}

// Record starts keeping a copy of the session output; Recorded returns it and stops.
func (t *Term) Record() {
	t.mu.Lock()
	t.rec = &bytes.Buffer{}
	t.mu.Unlock()
}

// Recorded returns the output kept since Record and stops keeping it.
func (t *Term) Recorded() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rec == nil {
		return nil
	}
	b := t.rec.Bytes()
	t.rec = nil
	return b
}

// WithScreen runs f with the emulator locked, for reading cells.
func (t *Term) WithScreen(f func(e *vt.Emulator)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(t.emu)
}

// WaitText waits until every string is on the screen.
func (t *Term) WaitText(limit time.Duration, texts ...string) error {
	deadline := time.Now().Add(limit)
	for {
		s := t.Screen()
		ok := true
		for _, x := range texts {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %q; screen:\n%s", texts, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close ends the session and the connection.
func (t *Term) Close() {
	if t.cmd != nil {
		_ = t.cmd.Process.Kill()
		_ = t.cmd.Wait()
		t.ptmx.Close()
		t.emu.Close()
		return
	}
	if t.sess != nil {
		t.sess.Close()
	}
	t.client.Close()
	t.emu.Close()
}
