package sshserver

import (
	"log/slog"
	"net"
	"sync"

	"charm.land/ssh"
)

// connLimiter caps open connections in all and per remote address, so one misbehaving
// client (or a flood) cannot take every slot from the township's users.
type connLimiter struct {
	mu     sync.Mutex
	max    int
	perIP  int
	total  int
	fromIP map[string]int
}

func newConnLimiter(max, perIP int) *connLimiter {
	return &connLimiter{max: max, perIP: perIP, fromIP: map[string]int{}}
}

// Open returns the number of connections now open.
func (l *connLimiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// accept returns the server's ConnCallback: it admits a connection while under both caps and
// wraps it so closing releases its slot exactly once.
func (l *connLimiter) accept(log *slog.Logger) ssh.ConnCallback {
	return func(_ ssh.Context, c net.Conn) net.Conn {
		ip := remoteIP(c.RemoteAddr())
		l.mu.Lock()
		if l.total >= l.max || l.fromIP[ip] >= l.perIP {
			total, from := l.total, l.fromIP[ip]
			l.mu.Unlock()
			log.Warn("connection refused: too many connections", "remote", ip, "open", total, "open_from_ip", from)
			_ = c.Close()
			return nil
		}
		l.total++
		l.fromIP[ip]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, release: func() {
			l.mu.Lock()
			l.total--
			if l.fromIP[ip]--; l.fromIP[ip] <= 0 {
				delete(l.fromIP, ip)
			}
			l.mu.Unlock()
		}}
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

// limitedConn releases its slot when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
