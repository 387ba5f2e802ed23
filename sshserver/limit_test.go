package sshserver

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeConn is a connection from an address that hands Read what the test gives it.
type fakeConn struct {
	net.Conn // nil: only what the limiter calls is implemented
	ip       string
	mu       sync.Mutex
	data     []byte
	closed   bool
}

func (f *fakeConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.ParseIP(f.ip), Port: 40000} }

func (f *fakeConn) Read(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b, f.data)
	f.data = f.data[n:]
	return n, nil
}

func (f *fakeConn) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

func (f *fakeConn) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testLimiter is a limiter with the given pool caps, a test clock and a log in buf.
func testLimiter(t *testing.T, perIP, all int, buf *bytes.Buffer, mu *sync.Mutex) (*connLimiter, *testClock) {
	clock := &testClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	var w io.Writer = io.Discard
	if buf != nil {
		w = lockedWriter{buf, mu}
	}
	l := newConnLimiter(limits{maxConns: 10, maxConnsPerIP: 10, maxPending: all, maxPendingPerIP: perIP, maxSessionsPerUser: 2,
		authFailLimit: 100, authFailWindow: time.Minute, authBan: time.Minute, silentTimeout: time.Hour, floodLogInterval: time.Hour},
		slog.New(slog.NewTextHandler(w, nil)))
	l.mu.Lock()
	l.now = clock.now
	l.mu.Unlock()
	t.Cleanup(l.close)
	return l, clock
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// send makes the client of c say n bytes, which the limiter sees as the server reads them.
func send(c *trackedConn, n int) {
	f := c.Conn.(*fakeConn)
	f.mu.Lock()
	f.data = append(f.data, bytes.Repeat([]byte("x"), n)...)
	f.mu.Unlock()
	io.Copy(io.Discard, io.LimitReader(c, int64(n)))
}

// TestEvictsLeastProgressed: when an address's share of the pending pool is full, the
// connection that has said least goes first — silent before version-line-only, that before one
// in its key exchange, a stalled one before one that spoke lately — never the newcomer, and
// never a connection that offered a key while others have not.
func TestEvictsLeastProgressed(t *testing.T) {
	l, clock := testLimiter(t, 4, 100, nil, nil)
	take := func() (*trackedConn, *fakeConn) {
		f := &fakeConn{ip: "10.0.0.1"}
		return l.take(f), f
	}
	offered, fOffered := take()
	offered.reached(stageOffered)
	inKex, fKex := take()
	send(inKex, 1200)
	version, fVersion := take()
	send(version, 20)
	silent, fSilent := take()
	clock.add(2 * time.Second) // nobody is young any more
	newcomer, fNew := take()   // evicts the silent one
	if !fSilent.isClosed() || fVersion.isClosed() || fKex.isClosed() || fOffered.isClosed() || fNew.isClosed() {
		t.Fatal("a newcomer did not evict the silent connection")
	}
	_ = silent
	take() // evicts the version-line-only one, not the newcomer that has said nothing yet
	if !fVersion.isClosed() || fNew.isClosed() || fKex.isClosed() {
		t.Fatal("the version-line-only connection was not the next to go")
	}
	clock.add(2 * time.Second)
	send(newcomer, 1500)  // now in its key exchange, and more lately than inKex
	next, fNext := take() // the one left silent since it came goes
	if fNew.isClosed() || fKex.isClosed() || fOffered.isClosed() {
		t.Fatal("a connection in its key exchange went before a silent one")
	}
	send(next, 1500)
	take() // all three in key exchange: the one quiet longest (inKex) goes
	if !fKex.isClosed() || fNew.isClosed() || fNext.isClosed() || fOffered.isClosed() {
		t.Fatal("the stalled key exchange was not dropped before the active ones")
	}
	if st := l.stats(); st.Evicted != 4 || st.Pending != 4 {
		t.Fatalf("%+v", st)
	}
}

// TestPenalisedAddressGoesFirst: once an address has lost enough connections before signing
// in, its pending connections are the first dropped when the whole pool is full, even ahead of
// a less progressed connection from elsewhere; another address's handshakes are spared.
func TestPenalisedAddressGoesFirst(t *testing.T) {
	l, clock := testLimiter(t, 4, 6, nil, nil)
	flood := func() *fakeConn { f := &fakeConn{ip: "10.0.0.66"}; l.take(f); return f }
	for range 25 { // 21 evictions from its own share: 21 s of penalty, past the 15 s that counts
		flood()
	}
	l.mu.Lock()
	penalised := l.sources["10.0.0.66"].penalised(l.now())
	l.mu.Unlock()
	if !penalised {
		t.Fatal("an address that lost 21 connections is not penalised")
	}
	flooded := flood()
	var office []*fakeConn
	for range 2 {
		f := &fakeConn{ip: "10.0.0.2"}
		c := l.take(f)
		send(c, 1500)
		office = append(office, f)
	}
	clock.add(2 * time.Second)
	late := &fakeConn{ip: "10.0.0.3"}
	l.take(late) // the pool is full (4 + 2): a penalised connection goes, not the office's
	if office[0].isClosed() || office[1].isClosed() {
		t.Fatal("an unpenalised address lost a handshake while a penalised one had connections pending")
	}
	if st := l.stats(); st.Pending != 6 {
		t.Fatalf("%+v", st)
	}
	_ = flooded
}

// TestSilentConnectionsTimeOut: a connection that sends nothing is closed after SilentTimeout;
// one that spoke is left to the handshake's own deadline.
func TestSilentConnectionsTimeOut(t *testing.T) {
	l, _ := testLimiter(t, 10, 100, nil, nil)
	l.mu.Lock()
	l.lim.silentTimeout = 50 * time.Millisecond
	l.mu.Unlock()
	quiet := &fakeConn{ip: "10.0.0.1"}
	l.take(quiet)
	spoke := &fakeConn{ip: "10.0.0.1"}
	send(l.take(spoke), 20)
	deadline := time.Now().Add(5 * time.Second)
	for !quiet.isClosed() {
		if time.Now().After(deadline) {
			t.Fatal("a silent connection was not closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if spoke.isClosed() {
		t.Fatal("a connection that spoke was closed as silent")
	}
	if st := l.stats(); st.TimedOut != 1 || st.Pending != 1 {
		t.Fatalf("%+v", st)
	}
}

// TestFloodLoggedOncePerInterval: hundreds of dropped connections from an address make one
// log line per interval, with the counts; none per connection.
func TestFloodLoggedOncePerInterval(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	l, _ := testLimiter(t, 2, 100, &buf, &mu)
	for range 500 {
		c := l.take(&fakeConn{ip: "10.0.0.9"})
		c.Close()
		l.take(&fakeConn{ip: "10.0.0.9"})
	}
	l.flushFloodLog()
	l.flushFloodLog() // nothing new: no line
	mu.Lock()
	log := strings.TrimSpace(buf.String())
	mu.Unlock()
	lines := strings.Split(log, "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "remote=10.0.0.9") || !strings.Contains(lines[0], "closed_unauthenticated=500") ||
		!strings.Contains(lines[0], "dropped_for_room=498") || !strings.Contains(lines[0], "penalised=true") {
		t.Fatalf("log:\n%s", log)
	}
}
