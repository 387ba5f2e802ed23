package sshserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
)

// Connection limits, in two stages.
//
// A connection is *pending* from the TCP accept until it opens its first session, which it can
// only do after a registered key signed in. Pending connections cost the server a goroutine and
// a socket, and they are what a flood is made of (connections that never finish the handshake
// or never authenticate), so they never lock anyone out: when the pending pool is full, for one
// address or in all, the pending connection that has made the *least progress* is dropped to
// make room for the new one — not the oldest, which under a flood from a person's own address
// (a township office behind one NAT address) is that person's handshake. Progress is, in
// order: whether the client offered a key (and whether it was a registered one), whether it
// sent enough to have begun the key exchange, and how recently it sent anything. A connection
// in its first second is given the benefit of the doubt (it counts as having just spoken), so a
// newcomer is never the first to go; a connection that has sent nothing at all after
// SilentTimeout is closed. A real client speaks within milliseconds, keeps speaking through
// the handshake and goes on to offer a key; a half-open flood does none of that, so it only
// ever evicts itself.
//
// Each address also carries a *penalty*, as OpenSSH's PerSourcePenalties do: seconds added for
// every pending connection of it that is dropped, times out silent, or closes without signing
// in, expiring as time passes, up to a cap. OpenSSH refuses a penalised address outright; here
// an address is many people, so a penalty only decides who goes first: when the whole pending
// pool is full, a penalised address's connections are dropped before anyone else's, and its
// silent connections time out sooner. Its people, whose handshakes progress, still get in.
//
// A connection becomes *established* at its first session. Established connections are capped
// in all and per address (generously per address, for the same NAT reason), and sessions are
// capped per user. Past a cap the session gets one clear line instead of a silent refusal.
//
// Refused keys are counted per address; an address with too many refusals in a short window
// is refused outright for a while, doubling on each repeat.
//
// What a flood does is logged as one line per address per FloodLogInterval (how many of its
// connections were dropped, timed out, closed unauthenticated or refused), never a line per
// connection: a flood of 6,000 connections used to write 6,000 lines.

// limits are the limiter's settings (see Config for what each means).
type limits struct {
	maxConns, maxConnsPerIP     int
	maxPending, maxPendingPerIP int
	maxSessionsPerUser          int
	authFailLimit               int
	authFailWindow, authBan     time.Duration
	silentTimeout               time.Duration
	floodLogInterval            time.Duration
}

// Penalties, as OpenSSH's PerSourcePenalties count them: seconds per event, an address counting
// as penalised once its penalty reaches penaltyMin, never more than penaltyMax.
const (
	penaltyDropped = time.Second     // a pending connection dropped to make room
	penaltySilent  = 2 * time.Second // one that sent nothing before SilentTimeout
	penaltyNoAuth  = time.Second     // one that closed without signing in
	penaltyMin     = 15 * time.Second
	penaltyMax     = 10 * time.Minute
	// penalisedSilentTimeout is SilentTimeout for a penalised address.
	penalisedSilentTimeout = time.Second
	// youngFor is how long a new connection counts as having just spoken.
	youngFor = time.Second
	// kexBytes is about what a client has sent once it has begun the key exchange: its version
	// line and its KEXINIT (a list of algorithms, about a kilobyte from OpenSSH or PuTTY). A
	// flood that sends a version line and stops never reaches it.
	kexBytes = 256
)

// ErrServerFull is returned when an established-connection cap is reached.
var ErrServerFull = errors.New("the server is at its connection limit")

// connLimiter keeps the counts, the pending pool and what is known of each address. All state
// is per server.
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
	sources    map[string]*source
	// evicted, timedOut and refused count what the limiter did, for tests and Stats.
	evicted, timedOut, refused int
	stop                       chan struct{}
	stopOnce                   sync.Once
}

// source is what the limiter knows of one address: its refused keys and ban, its penalty, and
// what happened to its connections since the last flood log line.
type source struct {
	fails        int
	windowStart  time.Time
	bannedUntil  time.Time
	strikes      int
	penaltyUntil time.Time
	// Counted since the last flood log line.
	dropped, silent, noAuth, refused int
}

// penalised reports whether the address's penalty has reached penaltyMin.
func (s *source) penalised(now time.Time) bool { return s.penaltyUntil.Sub(now) >= penaltyMin }

// penalise adds d to the address's penalty, up to penaltyMax from now.
func (s *source) penalise(now time.Time, d time.Duration) {
	if s.penaltyUntil.Before(now) {
		s.penaltyUntil = now
	}
	s.penaltyUntil = s.penaltyUntil.Add(d)
	if limit := now.Add(penaltyMax); s.penaltyUntil.After(limit) {
		s.penaltyUntil = limit
	}
}

// quiet reports whether the record holds nothing worth keeping.
func (s *source) quiet(now time.Time, window time.Duration) bool {
	return now.Sub(s.windowStart) > window && now.After(s.bannedUntil) && now.After(s.penaltyUntil) &&
		s.dropped+s.silent+s.noAuth+s.refused == 0
}

func newConnLimiter(lim limits, log *slog.Logger) *connLimiter {
	l := &connLimiter{lim: lim, now: time.Now, log: log, pend: map[*trackedConn]struct{}{},
		pendFromIP: map[string]int{}, estFromIP: map[string]int{}, sessions: map[string]int{},
		sources: map[string]*source{}, stop: make(chan struct{})}
	go l.logFloods()
	return l
}

// close stops the flood log, writing what it had counted.
func (l *connLimiter) close() {
	l.stopOnce.Do(func() { close(l.stop) })
}

// logFloods writes, every floodLogInterval, one line for each address whose connections were
// dropped, timed out, closed unauthenticated or refused in the interval.
func (l *connLimiter) logFloods() {
	t := time.NewTicker(l.lim.floodLogInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flushFloodLog()
		case <-l.stop:
			l.flushFloodLog()
			return
		}
	}
}

// flushFloodLog writes the flood lines and starts counting afresh.
func (l *connLimiter) flushFloodLog() {
	type line struct {
		ip                               string
		dropped, silent, noAuth, refused int
		penalised                        bool
	}
	var lines []line
	l.mu.Lock()
	now := l.now()
	for ip, s := range l.sources {
		if s.dropped+s.silent+s.noAuth+s.refused == 0 {
			continue
		}
		lines = append(lines, line{ip, s.dropped, s.silent, s.noAuth, s.refused, s.penalised(now)})
		s.dropped, s.silent, s.noAuth, s.refused = 0, 0, 0, 0
	}
	l.mu.Unlock()
	for _, x := range lines {
		l.log.Warn("connections from one address dropped before signing in", "remote", x.ip,
			"dropped_for_room", x.dropped, "silent_timeout", x.silent, "closed_unauthenticated", x.noAuth,
			"refused_banned", x.refused, "penalised", x.penalised, "interval", l.lim.floodLogInterval.String())
	}
}

// Stats is a snapshot of the limiter's counts.
type Stats struct {
	Pending, Established, Evicted, TimedOut, Refused int
}

// stats returns the current counts.
func (l *connLimiter) stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Pending: len(l.pend), Established: l.est, Evicted: l.evicted, TimedOut: l.timedOut, Refused: l.refused}
}

// connState says where a tracked connection is.
type connState int

const (
	statePending connState = iota
	stateEstablished
	stateClosed
)

// Stages of a pending connection's sign-in, as far as the server sees it.
const (
	stageNone    int32 = iota // nothing received
	stageBytes                // something received: the version line, the key exchange
	stageOffered              // offered a key (or answered keyboard-interactive)
	stageKeyOK                // offered a registered key
)

// trackedConn is a connection the limiter counts; closing it releases its slot exactly once.
// It notes how much the client has sent and when, which is how the pending pool tells a real
// handshake from a stalled one.
type trackedConn struct {
	net.Conn
	l        *connLimiter
	ip       string
	seq      uint64
	accepted time.Time
	state    connState // guarded by l.mu
	timer    *time.Timer
	once     sync.Once

	received atomic.Int64
	lastRead atomic.Int64 // unix nanoseconds
	stage    atomic.Int32
}

// Read notes the client's progress.
func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.received.Add(int64(n))
		c.lastRead.Store(c.l.now().UnixNano())
		c.stage.CompareAndSwap(stageNone, stageBytes)
	}
	return n, err
}

// reached notes that the connection got to stage s of its sign-in.
func (c *trackedConn) reached(s int32) {
	for {
		old := c.stage.Load()
		if old >= s || c.stage.CompareAndSwap(old, s) {
			return
		}
	}
}

// Close releases the connection's slot and closes it.
func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.release(c) })
	return c.Conn.Close()
}

// connKey is where the tracked connection sits in the SSH context.
const connKey ctxKey = "sanbai.conn"

// progressed notes that the connection of ctx got to stage s of its sign-in.
func progressed(ctx ssh.Context, s int32) {
	if c, ok := ctx.Value(connKey).(*trackedConn); ok {
		c.reached(s)
	}
}

// rank orders pending connections for eviction: the smallest goes first. global is true when
// the whole pool is full, where a penalised address's connections go before anyone's.
type rank struct {
	spared int   // 0: from a penalised address (only when global)
	stage  int32 // how far the sign-in got
	kex    int   // 1: sent enough to have begun the key exchange
	last   int64 // when it last sent anything (a young connection: when it was accepted)
	seq    uint64
}

func (a rank) less(b rank) bool {
	switch {
	case a.spared != b.spared:
		return a.spared < b.spared
	case a.stage != b.stage:
		return a.stage < b.stage
	case a.kex != b.kex:
		return a.kex < b.kex
	case a.last != b.last:
		return a.last < b.last
	}
	return a.seq < b.seq
}

// rankOf ranks c. Called with l.mu held.
func (l *connLimiter) rankOf(c *trackedConn, now time.Time, global bool) rank {
	r := rank{spared: 1, stage: c.stage.Load(), last: c.lastRead.Load(), seq: c.seq}
	if global {
		if s := l.sources[c.ip]; s != nil && s.penalised(now) {
			r.spared = 0
		}
	}
	if c.received.Load() >= kexBytes {
		r.kex = 1
	}
	if now.Sub(c.accepted) < youngFor {
		// Not judged yet: as if it had spoken as it was accepted.
		r.stage = max(r.stage, stageBytes)
		r.last = max(r.last, c.accepted.UnixNano())
	}
	return r
}

// accept returns the server's ConnCallback: a banned address is refused; otherwise the
// connection joins the pending pool (see take).
func (l *connLimiter) accept() ssh.ConnCallback {
	return func(ctx ssh.Context, c net.Conn) net.Conn {
		tc := l.take(c)
		if tc == nil {
			return nil
		}
		ctx.SetValue(connKey, tc)
		return tc
	}
}

// take admits a new connection to the pending pool, dropping the least progressed pending
// connection (of this address first) when the pool is full, and arranges for it to be closed
// if it says nothing for SilentTimeout. It returns nil, having closed c, for a banned address.
func (l *connLimiter) take(c net.Conn) *trackedConn {
	ip := remoteIP(c.RemoteAddr())
	l.mu.Lock()
	now := l.now()
	src := l.source(ip, now)
	if now.Before(src.bannedUntil) {
		l.refused++
		src.refused++
		l.mu.Unlock()
		_ = c.Close()
		return nil
	}
	var victims []*trackedConn
	if l.pendFromIP[ip] >= l.lim.maxPendingPerIP {
		if v := l.evict(ip, now); v != nil {
			victims = append(victims, v)
		}
	}
	if len(l.pend) >= l.lim.maxPending {
		if v := l.evict("", now); v != nil {
			victims = append(victims, v)
		}
	}
	l.seq++
	tc := &trackedConn{Conn: c, l: l, ip: ip, seq: l.seq, accepted: now}
	l.pend[tc] = struct{}{}
	l.pendFromIP[ip]++
	silent := l.lim.silentTimeout
	if src.penalised(now) {
		silent = min(silent, penalisedSilentTimeout)
	}
	tc.timer = time.AfterFunc(silent, func() { l.silentTimeout(tc) })
	l.mu.Unlock()
	for _, v := range victims {
		_ = v.Close()
	}
	return tc
}

// source returns ip's record, making one. Called with l.mu held.
func (l *connLimiter) source(ip string, now time.Time) *source {
	s := l.sources[ip]
	if s == nil {
		if len(l.sources) >= maxSources {
			l.pruneSources(now)
		}
		s = &source{windowStart: now}
		l.sources[ip] = s
	}
	return s
}

// evict drops the least progressed pending connection, of ip if ip is not empty, taking it
// out of the pool; the caller closes it. Called with l.mu held. The pool is small (hundreds at
// most), so a scan is cheap.
func (l *connLimiter) evict(ip string, now time.Time) *trackedConn {
	var victim *trackedConn
	var vr rank
	for c := range l.pend {
		if ip != "" && c.ip != ip {
			continue
		}
		if r := l.rankOf(c, now, ip == ""); victim == nil || r.less(vr) {
			victim, vr = c, r
		}
	}
	if victim != nil {
		l.dropPending(victim)
		victim.state = stateClosed
		l.evicted++
		s := l.source(victim.ip, now)
		s.dropped++
		s.penalise(now, penaltyDropped)
	}
	return victim
}

// silentTimeout closes c if it is still pending and has sent nothing.
func (l *connLimiter) silentTimeout(c *trackedConn) {
	l.mu.Lock()
	if c.state != statePending || c.received.Load() > 0 {
		l.mu.Unlock()
		return
	}
	now := l.now()
	l.dropPending(c)
	c.state = stateClosed
	l.timedOut++
	s := l.source(c.ip, now)
	s.silent++
	s.penalise(now, penaltySilent)
	l.mu.Unlock()
	_ = c.Close()
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
	if c.timer != nil {
		c.timer.Stop()
	}
}

// release frees whatever slot c holds; a pending connection closing is one that never
// signed in.
func (l *connLimiter) release(c *trackedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch c.state {
	case statePending:
		l.dropPending(c)
		now := l.now()
		s := l.source(c.ip, now)
		s.noAuth++
		s.penalise(now, penaltyNoAuth)
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

// maxSources bounds the table of addresses, so a scan from many addresses cannot grow it
// without end.
const maxSources = 10000

// keyRefused records a refused key from ip, banning the address when it has had too many in
// the window; each new ban lasts twice the last, up to an hour.
func (l *connLimiter) keyRefused(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.source(ip, now)
	if now.Sub(f.windowStart) > l.lim.authFailWindow {
		f.fails, f.windowStart = 0, now
	}
	f.fails++
	if f.fails >= l.lim.authFailLimit {
		ban := min(l.lim.authBan<<min(f.strikes, 10), time.Hour)
		f.bannedUntil = now.Add(ban)
		f.strikes++
		f.fails, f.windowStart = 0, now
		l.log.Warn("address banned: too many refused keys", "remote", ip, "for", ban.String())
	}
}

// pruneSources drops the records that hold nothing current; if that frees nothing, the table
// is cleared (losing old strikes and penalties is better than unbounded memory). Called with
// l.mu held.
func (l *connLimiter) pruneSources(now time.Time) {
	for ip, s := range l.sources {
		if s.quiet(now, l.lim.authFailWindow) && l.pendFromIP[ip] == 0 {
			delete(l.sources, ip)
		}
	}
	if len(l.sources) >= maxSources {
		clear(l.sources)
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
