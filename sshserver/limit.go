package sshserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
)

// Connection limits, in two stages.
//
// A connection is *pending* from the TCP accept until it opens its first session, which it can
// only do after a registered key signed in. Pending connections cost the server almost nothing
// but a goroutine and a socket, and they are what a flood is made of (connections that never
// finish the handshake or never authenticate), so they never lock anyone out: when the pending
// pool is full, for one address or in all, the oldest pending connection is dropped to make
// room for the new one. A real user completes the handshake in well under a second and leaves
// the pool; a flood only ever evicts itself.
//
// A connection becomes *established* at its first session. Established connections are capped
// in all and per address (a township office behind one NAT address is many people, so that cap
// is generous), and sessions are capped per user. Past a cap the session gets one clear line
// instead of a silent refusal.
//
// Refused keys are counted per address; an address with too many refusals in a short window
// is refused outright for a while, doubling on each repeat.

// limits are the limiter's settings (see Config for what each means).
type limits struct {
	maxConns, maxConnsPerIP     int
	maxPending, maxPendingPerIP int
	maxSessionsPerUser          int
	authFailLimit               int
	authFailWindow, authBan     time.Duration
}

// ErrServerFull is returned when an established-connection cap is reached.
var ErrServerFull = errors.New("the server is at its connection limit")

// connLimiter keeps the counts and the pending pool. All state is per server.
type connLimiter struct {
	mu   sync.Mutex
	lim  limits
	now  func() time.Time
	seq  uint64
	log  *slog.Logger
	pend map[*trackedConn]struct{}
	// pendFromIP, estFromIP count pending and established connections per address.
	pendFromIP map[string]int
	estFromIP  map[string]int
	est        int
	sessions   map[string]int
	fails      map[string]*failRecord
	// evicted and banned count what the limiter did, for tests and the log.
	evicted, refused int
}

// failRecord is one address's recent refused keys and its ban, if any.
type failRecord struct {
	count       int
	windowStart time.Time
	bannedUntil time.Time
	strikes     int
}

func newConnLimiter(lim limits, log *slog.Logger) *connLimiter {
	return &connLimiter{lim: lim, now: time.Now, log: log, pend: map[*trackedConn]struct{}{},
		pendFromIP: map[string]int{}, estFromIP: map[string]int{}, sessions: map[string]int{},
		fails: map[string]*failRecord{}}
}

// Stats is a snapshot of the limiter's counts.
type Stats struct {
	Pending, Established, Evicted, Refused int
}

// stats returns the current counts.
func (l *connLimiter) stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Pending: len(l.pend), Established: l.est, Evicted: l.evicted, Refused: l.refused}
}

// connState says where a tracked connection is.
type connState int

const (
	statePending connState = iota
	stateEstablished
	stateClosed
)

// trackedConn is a connection the limiter counts; closing it releases its slot exactly once.
type trackedConn struct {
	net.Conn
	l     *connLimiter
	ip    string
	seq   uint64
	state connState
	once  sync.Once
}

// Close releases the connection's slot and closes it.
func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.release(c) })
	return c.Conn.Close()
}

// connKey is where the tracked connection sits in the SSH context.
const connKey ctxKey = "sanbai.conn"

// accept returns the server's ConnCallback: a banned address is refused; otherwise the
// connection joins the pending pool, evicting the oldest pending connection (of this address
// first) when the pool is full.
func (l *connLimiter) accept() ssh.ConnCallback {
	return func(ctx ssh.Context, c net.Conn) net.Conn {
		ip := remoteIP(c.RemoteAddr())
		l.mu.Lock()
		if f := l.fails[ip]; f != nil && l.now().Before(f.bannedUntil) {
			l.refused++
			until := f.bannedUntil
			l.mu.Unlock()
			l.log.Warn("connection refused: too many refused keys from this address", "remote", ip, "until", until.Format(time.TimeOnly))
			_ = c.Close()
			return nil
		}
		var victims []*trackedConn
		if l.pendFromIP[ip] >= l.lim.maxPendingPerIP {
			if v := l.oldestPending(ip); v != nil {
				victims = append(victims, v)
			}
		}
		if len(l.pend) >= l.lim.maxPending {
			if v := l.oldestPending(""); v != nil {
				victims = append(victims, v)
			}
		}
		l.seq++
		tc := &trackedConn{Conn: c, l: l, ip: ip, seq: l.seq}
		l.pend[tc] = struct{}{}
		l.pendFromIP[ip]++
		l.mu.Unlock()
		for _, v := range victims {
			l.log.Info("pending connection dropped to make room", "remote", v.ip)
			_ = v.Close()
		}
		ctx.SetValue(connKey, tc)
		return tc
	}
}

// oldestPending returns the oldest pending connection, of ip if ip is not empty, and takes it
// out of the pool. Called with l.mu held. The pool is small (tens), so a scan is cheap.
func (l *connLimiter) oldestPending(ip string) *trackedConn {
	var old *trackedConn
	for c := range l.pend {
		if (ip == "" || c.ip == ip) && (old == nil || c.seq < old.seq) {
			old = c
		}
	}
	if old != nil {
		l.dropPending(old)
		old.state = stateClosed
		l.evicted++
	}
	return old
}

// dropPending takes c out of the pending pool. Called with l.mu held.
func (l *connLimiter) dropPending(c *trackedConn) {
	if _, ok := l.pend[c]; !ok {
		return
	}
	delete(l.pend, c)
	if l.pendFromIP[c.ip]--; l.pendFromIP[c.ip] <= 0 {
		delete(l.pendFromIP, c.ip)
	}
}

// release frees whatever slot c holds.
func (l *connLimiter) release(c *trackedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch c.state {
	case statePending:
		l.dropPending(c)
	case stateEstablished:
		l.est--
		if l.estFromIP[c.ip]--; l.estFromIP[c.ip] <= 0 {
			delete(l.estFromIP, c.ip)
		}
	}
	c.state = stateClosed
}

// establish moves the connection of ctx from the pending pool to the established count, at
// its first session; it fails when a cap on established connections is reached.
func (l *connLimiter) establish(ctx ssh.Context) error {
	c, _ := ctx.Value(connKey).(*trackedConn)
	if c == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch c.state {
	case stateEstablished:
		return nil
	case stateClosed:
		return fmt.Errorf("%w: the connection was closed", ErrServerFull)
	}
	if l.est >= l.lim.maxConns {
		return fmt.Errorf("%w of %d connections", ErrServerFull, l.lim.maxConns)
	}
	if l.estFromIP[c.ip] >= l.lim.maxConnsPerIP {
		return fmt.Errorf("%w of %d connections from one address", ErrServerFull, l.lim.maxConnsPerIP)
	}
	l.dropPending(c)
	c.state = stateEstablished
	l.est++
	l.estFromIP[c.ip]++
	return nil
}

// openSession counts a session of user against the per-user cap; call the returned release
// when the session ends.
func (l *connLimiter) openSession(user string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sessions[user] >= l.lim.maxSessionsPerUser {
		return nil, fmt.Errorf("%s already has %d sessions open, the most one person may have", user, l.lim.maxSessionsPerUser)
	}
	l.sessions[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			if l.sessions[user]--; l.sessions[user] <= 0 {
				delete(l.sessions, user)
			}
			l.mu.Unlock()
		})
	}, nil
}

// maxFailRecords bounds the refused-key table, so a scan from many addresses cannot grow it
// without end.
const maxFailRecords = 10000

// keyRefused records a refused key from ip, banning the address when it has had too many in
// the window; each new ban lasts twice the last, up to an hour.
func (l *connLimiter) keyRefused(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.fails[ip]
	if f == nil {
		if len(l.fails) >= maxFailRecords {
			l.pruneFails(now)
		}
		f = &failRecord{windowStart: now}
		l.fails[ip] = f
	}
	if now.Sub(f.windowStart) > l.lim.authFailWindow {
		f.count, f.windowStart = 0, now
	}
	f.count++
	if f.count >= l.lim.authFailLimit {
		ban := min(l.lim.authBan<<min(f.strikes, 10), time.Hour)
		f.bannedUntil = now.Add(ban)
		f.strikes++
		f.count, f.windowStart = 0, now
		l.log.Warn("address banned: too many refused keys", "remote", ip, "for", ban.String())
	}
}

// pruneFails drops records with no recent refusal and no ban; if that frees nothing, the
// table is cleared (losing old strikes is better than unbounded memory). Called with l.mu held.
func (l *connLimiter) pruneFails(now time.Time) {
	for ip, f := range l.fails {
		if now.Sub(f.windowStart) > l.lim.authFailWindow && now.After(f.bannedUntil) {
			delete(l.fails, ip)
		}
	}
	if len(l.fails) >= maxFailRecords {
		clear(l.fails)
	}
}

func remoteIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
