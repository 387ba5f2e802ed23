package e2e

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/sshserver"
	"sanbai/store"
)

// logTo makes the server log into buf, as text lines.
func logTo(buf *lockedBuffer) func(*sshserver.Config) {
	return func(c *sshserver.Config) { c.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
}

// halfOpenFlood opens rate connections a second from src until stop is closed, half of them
// silent and half sending a version line and nothing more, and keeps each open until the
// server closes it. It returns how many it opened.
func halfOpenFlood(t *testing.T, addr, src string, rate int, stop <-chan struct{}) *atomic.Int64 {
	var opened atomic.Int64
	tick := time.NewTicker(time.Second / time.Duration(rate))
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			wg.Add(1)
			go func(version bool) {
				defer wg.Done()
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					return
				}
				opened.Add(1)
				defer c.Close()
				if version {
					c.Write([]byte("SSH-2.0-flood\r\n"))
				}
				// Hold it until the server drops it or the flood ends.
				done := make(chan struct{})
				go func() {
					io.Copy(io.Discard, c)
					close(done)
				}()
				select {
				case <-done:
				case <-stop:
				}
			}(i%2 == 1)
		}
	}()
	return &opened
}

// laggyConn delays what the client sends, as a link with latency does: an office's line to the
// township server. On loopback a handshake takes a few milliseconds, quicker than any flood
// can turn a pool over; over a real link it takes a few round trips.
type laggyConn struct {
	net.Conn
	lag time.Duration
}

func (c laggyConn) Write(p []byte) (int, error) {
	time.Sleep(c.lag)
	return c.Conn.Write(p)
}

// dialLaggy connects from src with the given auth, lag added to everything the client sends.
func (s *server) dialLaggy(src string, lag time.Duration, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", s.addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	cc, chans, reqs, err := gossh.NewClientConn(laggyConn{c, lag}, s.addr, &gossh.ClientConfig{User: "tester", Auth: auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return gossh.NewClient(cc, chans, reqs), nil
}

// TestFloodFromOwnAddress (issue 17, finding 4): during a flood of 200 half-open connections a
// second from a township office's one NAT address, a registered user behind that same address
// signs in and runs a command 10 times out of 10, each within 2 s, over a link that adds 25 ms
// to everything the client sends (a handshake of about 250 ms, in which the flood opens 50
// connections); the flood's connections are dropped, and the log says so in one line per
// address per interval, not one per connection. The old pool, which dropped the oldest pending
// connection, dropped the user's handshake instead.
func TestFloodFromOwnAddress(t *testing.T) {
	var logBuf lockedBuffer
	s := startServer(t, false, logTo(&logBuf), func(c *sshserver.Config) { c.FloodLogInterval = time.Second })
	key := s.addUser(t, "李明", store.RoleTownship, "")
	const office = "127.0.0.5"
	stop := make(chan struct{})
	opened := halfOpenFlood(t, s.addr, office, 200, stop)
	defer close(stop)
	time.Sleep(time.Second) // the flood fills the office's share of the pending pool
	var worst time.Duration
	ok := 0
	start := time.Now()
	for i := 0; i < 10; i++ {
		began := time.Now()
		c, err := s.dialLaggy(office, 25*time.Millisecond, gossh.PublicKeys(key))
		if err != nil {
			t.Errorf("login %d from the flooded address: %v (stats %+v)", i+1, err, s.srv.Stats())
			continue
		}
		out, code := command(t, c, "user list")
		c.Close()
		took := time.Since(began)
		worst = max(worst, took)
		switch {
		case code != 0 || !strings.Contains(out, "李明"):
			t.Errorf("login %d: %d %s", i+1, code, out)
		case took > 2*time.Second:
			t.Errorf("login %d took %v", i+1, took)
		default:
			ok++
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start) + time.Second
	st := s.srv.Stats()
	t.Logf("%d of 10 logins from %s during a flood of %d half-open connections (200/s); slowest %v; dropped %d, timed out %d, pending %d",
		ok, office, opened.Load(), worst.Round(time.Millisecond), st.Evicted, st.TimedOut, st.Pending)
	if st.Evicted == 0 {
		t.Fatalf("the flood never filled the pool: %+v", st)
	}
	if st.Pending > 256 {
		t.Fatalf("pending pool above its cap: %+v", st)
	}
	// The log: a few summary lines for the office, none per connection.
	time.Sleep(1500 * time.Millisecond)
	lines := strings.Split(strings.TrimSpace(logBuf.String()), "\n")
	summaries := 0
	for _, l := range lines {
		if strings.Contains(l, "dropped before signing in") && strings.Contains(l, "remote="+office) {
			summaries++
		}
	}
	if max := int(elapsed/time.Second) + 3; summaries == 0 || summaries > max {
		t.Fatalf("%d summary lines for the flooded address over %v (want 1 to %d)", summaries, elapsed.Round(time.Second), max)
	}
	if len(lines) > 60 {
		t.Fatalf("%d log lines for a flood of %d connections:\n%s", len(lines), opened.Load(), strings.Join(lines[:20], "\n"))
	}
}

// TestLogFieldsAreCut (issue 17, finding 6): a 120 KB SSH user name and a 200 KB TERM reach the
// log cut to a bounded length, marked as cut with their length.
func TestLogFieldsAreCut(t *testing.T) {
	var logBuf lockedBuffer
	s := startServer(t, true, logTo(&logBuf))
	user := strings.Repeat("u", 120<<10)
	term := strings.Repeat("t", 200<<10)
	client, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.KeyboardInteractive(
		func(string, string, []string, []bool) ([]string, error) { return nil, nil })},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(term, 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	sess.Close()
	client.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logBuf.String(), "msg=session") {
		if time.Now().After(deadline) {
			t.Fatalf("no session line:\n%.2000s", logBuf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, l := range strings.Split(strings.TrimSpace(logBuf.String()), "\n") {
		if len(l) > 2048 {
			t.Fatalf("a log line of %d bytes: %.300s…", len(l), l)
		}
	}
	log := logBuf.String()
	for _, mark := range []string{"…[cut, 122880 bytes]", "…[cut, 204800 bytes]"} {
		if !strings.Contains(log, mark) {
			t.Fatalf("the log does not mark a cut field with %q:\n%s", mark, log)
		}
	}
}
