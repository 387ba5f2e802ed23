package sshserver

import (
	"fmt"
	"time"

	"charm.land/ssh"

	"sanbai/store"
)

// Default abuse limits; see limit.go for how the two stages work. The pending pool is big
// enough that a flood at 200 connections a second from one address turns its share over no
// faster than every 160 ms, while a real handshake is still young enough to be spared.
const (
	defaultMaxPending         = 256
	defaultMaxPendingPerIP    = 32
	defaultSilentTimeout      = 5 * time.Second
	defaultFloodLogInterval   = time.Minute
	defaultMaxSessionsPerUser = 6
	defaultAuthFailLimit      = 20
	defaultAuthFailWindow     = time.Minute
	defaultAuthBan            = 30 * time.Second
)

// Largest window the interface is drawn for. The renderer keeps cell buffers of the whole
// window (about 200 bytes a cell in all), so a client announcing 10000×10000 (or 2³²) made the
// server run out of memory for one session (measured: past 4 GB); past these sizes the rest of
// the client's window stays blank. 320×128 is a wide screen at a normal font size and costs
// about 8 MB; nothing in sanbai gains from more.
const (
	MaxWindowWidth  = 320
	MaxWindowHeight = 128
)

// limitDefaults fills in the abuse limits left zero.
func limitDefaults(c *Config) {
	if c.MaxPending == 0 {
		c.MaxPending = defaultMaxPending
	}
	if c.MaxPendingPerIP == 0 {
		c.MaxPendingPerIP = defaultMaxPendingPerIP
	}
	if c.SilentTimeout == 0 {
		c.SilentTimeout = defaultSilentTimeout
	}
	if c.FloodLogInterval == 0 {
		c.FloodLogInterval = defaultFloodLogInterval
	}
	if c.MaxSessionsPerUser == 0 {
		c.MaxSessionsPerUser = defaultMaxSessionsPerUser
	}
	if c.AuthFailLimit == 0 {
		c.AuthFailLimit = defaultAuthFailLimit
	}
	if c.AuthFailWindow == 0 {
		c.AuthFailWindow = defaultAuthFailWindow
	}
	if c.AuthBan == 0 {
		c.AuthBan = defaultAuthBan
	}
}

// limits returns the limiter's settings from the configuration.
func (c *Config) limits() limits {
	return limits{maxConns: c.MaxConns, maxConnsPerIP: c.MaxConnsPerIP, maxPending: c.MaxPending,
		maxPendingPerIP: c.MaxPendingPerIP, maxSessionsPerUser: c.MaxSessionsPerUser,
		authFailLimit: c.AuthFailLimit, authFailWindow: c.AuthFailWindow, authBan: c.AuthBan,
		silentTimeout: c.SilentTimeout, floodLogInterval: c.FloodLogInterval}
}

// Stats returns the connection limiter's counts: pending and established connections, pending
// connections dropped to make room or closed for saying nothing, and connections refused from
// banned addresses.
func (s *Server) Stats() Stats { return s.limit.stats() }

// admit applies the caps on established connections and on one user's sessions, answering a
// session past a cap with one clear line.
func (s *Server) admit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		end, _ := sess.Context().Value(endKey).(*endReason)
		refuse := func(why string) {
			if end != nil {
				end.set("refused: " + why)
			}
			fmt.Fprintf(sess.Stderr(), "sanbai: %s; try again later. / 连接数已满，请稍后再试。\n", why)
			_ = sess.Exit(1)
		}
		if err := s.limit.establish(sess.Context()); err != nil {
			refuse(err.Error())
			return
		}
		u, _ := sess.Context().Value(userKey).(store.User)
		release, err := s.limit.openSession(u.Name)
		if err != nil {
			refuse(err.Error())
			return
		}
		defer release()
		next(sess)
	}
}

// clampWindow hands the rest of the chain a session whose window sizes are at most
// MaxWindowWidth×MaxWindowHeight (and at least 1×1).
func (s *Server) clampWindow(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		pty, winch, ok := sess.Pty()
		if !ok {
			next(sess)
			return
		}
		out := make(chan ssh.Window, 1)
		ctx := sess.Context()
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-winch:
					if !ok {
						return
					}
					// A storm of window changes is coalesced: while the program is busy
					// with one size, only the latest of the ones after it is kept.
					w = clamp(w)
					select {
					case out <- w:
					default:
						select {
						case <-out:
						default:
						}
						out <- w // only this goroutine sends, and out was just emptied
					}
				}
			}
		}()
		pty.Window = clamp(pty.Window)
		next(&clampedSession{Session: sess, pty: pty, winch: out})
	}
}

// clamp bounds a window size.
func clamp(w ssh.Window) ssh.Window {
	w.Width = min(max(w.Width, 1), MaxWindowWidth)
	w.Height = min(max(w.Height, 1), MaxWindowHeight)
	return w
}

// clampedSession is a session whose Pty reports clamped window sizes.
type clampedSession struct {
	ssh.Session
	pty   ssh.Pty
	winch <-chan ssh.Window
}

// Pty returns the clamped terminal and its clamped window changes.
func (c *clampedSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	return c.pty, c.winch, true
}
