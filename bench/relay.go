// Package bench measures what sanbai costs a township office on a slow link: bytes on the wire
// per keystroke, the server's time from a key to the last byte of its answer, and memory per
// session, beside a baseline of OpenSSH's sshd serving `less` over the same rows. Everything
// runs on loopback. The program that drives it is bench/cmd/sanbai-bench (`make bench`).
package bench

import (
	"net"
	"sync"
	"time"
)

// Event is one read that crossed a Relay: when, which way, how many bytes.
type Event struct {
	At time.Time
	Up bool // client → server
	N  int
}

// Relay forwards one TCP connection from a loopback port to a target and records every read
// that crosses it. It sits between the SSH client and the server, so what it counts is the
// TCP payload both ways, SSH framing, MACs and padding included (not IP/TCP headers), and
// the times it records are within a loopback hop of the server's own socket.
type Relay struct {
	ln     net.Listener
	target string

	mu       sync.Mutex
	events   []Event
	lastDown time.Time
	up, down int64
	conns    []net.Conn
	err      error
}

// NewRelay listens on a fresh loopback port and will relay the first connection to target.
func NewRelay(target string) (*Relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Relay{ln: ln, target: target}
	go r.serve()
	return r, nil
}

// Addr is the address to dial instead of the target.
func (r *Relay) Addr() string { return r.ln.Addr().String() }

func (r *Relay) serve() {
	c, err := r.ln.Accept()
	r.ln.Close()
	if err != nil {
		return
	}
	s, err := net.Dial("tcp", r.target)
	if err != nil {
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		c.Close()
		return
	}
	r.mu.Lock()
	r.conns = []net.Conn{c, s}
	r.mu.Unlock()
	go r.pipe(s, c, true)
	go r.pipe(c, s, false)
}

// pipe copies src to dst. An upward read is stamped after it has been handed to the server,
// which is when the server can first see the key; a downward read when the server's bytes
// arrived, which is no earlier than the server wrote them.
func (r *Relay) pipe(dst, src net.Conn, up bool) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			at := time.Now()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
			if up {
				at = time.Now()
			}
			r.mu.Lock()
			r.events = append(r.events, Event{At: at, Up: up, N: n})
			if up {
				r.up += int64(n)
			} else {
				r.down += int64(n)
				r.lastDown = at
			}
			r.mu.Unlock()
		}
		if err != nil {
			// EOF or a closed connection: either way this relay is over.
			dst.Close()
			src.Close()
			return
		}
	}
}

// Mark returns a position in the event log to read from later with Since.
func (r *Relay) Mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Since returns the events recorded after mark.
func (r *Relay) Since(mark int) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events[mark:]...)
}

// Totals returns the bytes relayed so far, each way.
func (r *Relay) Totals() (up, down int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.up, r.down
}

// WaitQuiet waits until nothing has come down from the server for quiet, counting from start
// at the earliest, or until limit has passed. It reports whether the line went quiet.
func (r *Relay) WaitQuiet(start time.Time, quiet, limit time.Duration) bool {
	deadline := start.Add(limit)
	for {
		r.mu.Lock()
		last := r.lastDown
		r.mu.Unlock()
		if last.Before(start) {
			last = start
		}
		now := time.Now()
		if now.Sub(last) >= quiet {
			return true
		}
		if now.After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Close ends the relay and its connection.
func (r *Relay) Close() {
	r.ln.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
}
