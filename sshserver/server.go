// Package sshserver serves sanbai over SSH: public-key authentication against registered
// users, role scope, connection limits, the admin verbs as SSH commands, and one Bubble Tea
// program per interactive session, subscribed to the store's change feed.
package sshserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"sanbai/admin"
	"sanbai/clean"
	"sanbai/query"
	"sanbai/sshinput"
	"sanbai/store"
	"sanbai/tui"
)

// Config configures a Server.
type Config struct {
	Store *store.Store
	// Listen is the address to listen on, e.g. 127.0.0.1:2323.
	Listen string
	// HostKeyPath is the host key file; it is generated (ed25519) on first start.
	HostKeyPath string
	// Demo admits any client as a township demo user; only on loopback addresses.
	Demo bool
	// Lang is the default interface language ("zh" or "en").
	Lang string
	// Logger is the server log.
	Logger *slog.Logger

	// LoginGrace bounds the handshake and authentication.
	LoginGrace time.Duration
	// IdleTimeout closes a connection with no traffic for this long: long enough for a meeting.
	IdleTimeout time.Duration
	// MaxAuthTries bounds the authentication attempts per connection.
	MaxAuthTries int
	// MaxConns and MaxConnsPerIP cap established connections (those that opened a session
	// after signing in) in all and from one address.
	MaxConns, MaxConnsPerIP int
	// MaxPending and MaxPendingPerIP bound connections still in the handshake or sign-in;
	// past them the least progressed pending connection is dropped, so a flood never locks
	// users out, not even from its own address.
	MaxPending, MaxPendingPerIP int
	// SilentTimeout closes a pending connection that has sent nothing for this long (sooner
	// for an address penalised for flooding): a real client speaks at once.
	SilentTimeout time.Duration
	// FloodLogInterval is how often the connections an address lost before signing in are
	// logged: one line per address per interval, not one per connection.
	FloodLogInterval time.Duration
	// MaxSessionsPerUser caps one user's open sessions.
	MaxSessionsPerUser int
	// AuthFailLimit refused keys from one address within AuthFailWindow ban it for AuthBan,
	// doubling on each repeat.
	AuthFailLimit  int
	AuthFailWindow time.Duration
	AuthBan        time.Duration

	// DayCheck is how often the server looks whether the store's day has changed, to build
	// the panes' shared models again for the new day (default a minute).
	DayCheck time.Duration

	// KeyTrace, when set, is told every key each session's program receives, when it is
	// applied, and what the session says back (tests compare it with what they typed).
	KeyTrace func(user, event string)
}

// Defaults fills in the limits left zero.
func (c *Config) defaults() {
	if c.LoginGrace == 0 {
		c.LoginGrace = 30 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.MaxAuthTries == 0 {
		c.MaxAuthTries = 4
	}
	if c.MaxConns == 0 {
		c.MaxConns = 200
	}
	if c.MaxConnsPerIP == 0 {
		c.MaxConnsPerIP = 20
	}
	limitDefaults(c)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DayCheck == 0 {
		c.DayCheck = time.Minute
	}
	if c.Lang == "" {
		c.Lang = "zh"
	}
}

// Server is the sanbai SSH server.
type Server struct {
	cfg      Config
	ssh      *ssh.Server
	log      *slog.Logger
	limit    *connLimiter
	presence *tui.Presence
	// ledger is the one ledger view every session's queue asks (query.Ledger); finder the
	// one household finder every session's card searches (query.Finder).
	ledger *query.Ledger
	finder *query.Finder
	// shared keeps the panes' read models one per scope and store version for every session
	// (tui.NewShared): fifty township sessions share one household picker, one coverage and
	// one set of revisit and overview totals.
	shared *query.Shared
	// stopWarm ends the warming of the shared read models (tui.WarmShared) at shutdown.
	stopWarm context.CancelFunc

	// Shutdown ends every session before it returns, so that the caller may close the store:
	// it refuses new sessions, quits the programs and waits for the handlers.
	mu       sync.Mutex
	closing  bool
	handlers sync.WaitGroup
	programs map[ssh.Session]*tea.Program
}

// IsLoopback reports whether a listen address only accepts local connections.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrDemoNotLoopback is returned when demo mode is asked for on a non-loopback address.
var ErrDemoNotLoopback = errors.New("demo mode admits anyone, so it only listens on a loopback address (127.0.0.1, ::1, localhost)")

// New builds the server.
func New(cfg Config) (*Server, error) {
	cfg.defaults()
	if cfg.Demo && !IsLoopback(cfg.Listen) {
		return nil, ErrDemoNotLoopback
	}
	s := &Server{cfg: cfg, log: cfg.Logger, limit: newConnLimiter(cfg.limits(), cfg.Logger), presence: tui.NewPresence(),
		programs: map[ssh.Session]*tea.Program{}}
	// Every session's queue asks the server's one shared ledger view; reading a county's
	// ledger takes seconds, so it is read in the background as the server starts (by
	// tui.WarmShared, right after pane 1's model), and logins are taken meanwhile (a queue
	// opened before it is ready says it is loading).
	s.ledger = query.NewLedger(cfg.Store, cfg.Logger)
	// From the start snapshot the last clean stop wrote, when the concerns are as it left them
	// (query/ledgersnap.go): a county's view in a fraction of a second instead of seconds.
	s.ledger.UseStart()
	s.finder = query.NewFinder(cfg.Store)
	s.shared = tui.NewShared(cfg.Store)
	// The township's models of every pane are built now too, and again on each new day, so
	// the first township session after a start (or in the morning) opens each pane as fast as
	// the later ones.
	var warm context.Context
	warm, s.stopWarm = context.WithCancel(context.Background())
	go s.warmDaily(warm, tui.WarmShared(warm, s.shared, cfg.Store, s.ledger, s.log))
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return nil, err
	}
	opts := []ssh.Option{
		wish.WithAddress(cfg.Listen),
		wish.WithVersion("sanbai"),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		// Middleware runs from the last listed to the first: shutdown's count of sessions
		// wraps everything, then the log line, then panics are caught, then the user is
		// resolved, then the connection and session caps are applied, then an SSH command
		// runs the admin verbs; only an interactive session with a terminal reaches the TUI,
		// with its window size clamped, and its program is known to Shutdown while it runs.
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			s.forgetProgram,
			s.clampWindow,
			s.requirePTY,
			s.commands,
			s.admit,
			s.identify,
			s.recoverPanics,
			s.logSession,
			s.track,
		),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = cfg.LoginGrace
			srv.IdleTimeout = cfg.IdleTimeout
			srv.ConnCallback = s.limit.accept()
			srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{MaxAuthTries: cfg.MaxAuthTries}
			}
			return nil
		},
	}
	if cfg.Demo {
		opts = append(opts,
			wish.WithBanner("sanbai demo server: anyone who connects is admitted as a township demo user.\r\n"),
			// A client with no key at all is admitted through keyboard-interactive with no
			// questions asked.
			wish.WithKeyboardInteractiveAuth(func(ctx ssh.Context, _ gossh.KeyboardInteractiveChallenge) bool {
				progressed(ctx, stageKeyOK)
				return true
			}),
		)
	}
	srv, err := wish.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.ssh = srv
	return s, nil
}

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// ListenAndServe listens on the configured address.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// closeGrace bounds the wait, after Shutdown has closed the connections, for session handlers
// to notice; they only have a store call or a write to a closed channel left to finish.
const closeGrace = 5 * time.Second

// ErrSessionsLeft is returned by Shutdown when session handlers were still running after the
// connections were closed.
var ErrSessionsLeft = errors.New("sessions still running after their connections were closed")

// Shutdown stops accepting connections, refuses new sessions, quits every session's program
// (the user is told the server is shutting down) and waits until ctx ends for every session
// handler, admin commands included, to return; then it closes the connections left and waits a
// little more for their handlers. When it returns nil no session is left to use the store, so
// the caller may close it. Data loads a program started are not waited for here: the store's
// Close waits for those in flight and refuses later ones.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopWarm()
	s.mu.Lock()
	s.closing = true
	progs := make([]*tea.Program, 0, len(s.programs))
	for _, p := range s.programs {
		progs = append(progs, p)
	}
	s.mu.Unlock()
	// Closes the listeners at once; connections are closed below, not waited for here.
	now, cancel := context.WithCancel(ctx)
	cancel()
	_ = s.ssh.Shutdown(now)
	for _, p := range progs {
		// Quit waits for the program to take the message, and a program drawing to a dead
		// link may not for a while; its connection is closed below all the same.
		go p.Quit()
	}
	done := make(chan struct{})
	go func() {
		s.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	err := s.ssh.Close()
	s.limit.close()
	select {
	case <-done:
	case <-time.After(closeGrace):
		return ErrSessionsLeft
	}
	if errors.Is(err, ssh.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// SaveStart writes the ledger view's start snapshot for the server's next start, or keeps
// the one there if it still holds (query.Ledger.SaveStart), and reports whether it wrote
// one; the store writes its own as it closes. Call it after Shutdown.
func (s *Server) SaveStart(ctx context.Context) (bool, error) { return s.ledger.SaveStart(ctx) }

// warmDaily builds the panes' shared models again whenever the store's day changes, once the
// warming at start (started) is over: a new day makes every kept model stale (overdue and
// days left count from it), and the first officer of the morning waited for what a start
// costs. It ends with ctx.
func (s *Server) warmDaily(ctx context.Context, started <-chan struct{}) {
	// The day the start's warm-up builds for, read as it begins: a day that turns while it
	// runs (or while it makes its lists last) is a new day to build for.
	day := s.cfg.Store.Today()
	select {
	case <-started:
	case <-ctx.Done():
		return
	}
	t := time.NewTicker(s.cfg.DayCheck)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		if today := s.cfg.Store.Today(); today != day {
			day = today
			s.log.Info("a new day: building the panes' read models again", "day", today)
			select {
			case <-tui.WarmShared(ctx, s.shared, s.cfg.Store, s.ledger, s.log):
			case <-ctx.Done():
				return
			}
		}
	}
}

// Close closes the server and every connection at once, without waiting for the sessions.
func (s *Server) Close() error {
	s.stopWarm()
	s.limit.close()
	return s.ssh.Close()
}

// track counts the session handlers running, for Shutdown, and refuses a session once
// Shutdown has begun. An interactive session ended by Shutdown is told why.
func (s *Server) track(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			fmt.Fprintln(sess.Stderr(), shutdownNotice)
			_ = sess.Exit(1)
			return
		}
		// Added under the lock that Shutdown sets closing with, so Wait never races an Add.
		s.handlers.Add(1)
		s.mu.Unlock()
		defer s.handlers.Done()
		next(sess)
		s.mu.Lock()
		closing := s.closing
		s.mu.Unlock()
		if _, _, tty := sess.Pty(); closing && tty {
			fmt.Fprint(sess, "\r\n"+strings.ReplaceAll(shutdownNotice, "\n", "\r\n")+"\r\n")
		}
	}
}

// shutdownNotice is what a session is told when the server shuts down.
const shutdownNotice = "sanbai: the server is shutting down; connect again in a minute.\n服务器正在关闭，请稍后重新连接。"

// forgetProgram drops the session's program from the ones Shutdown quits once it has ended.
func (s *Server) forgetProgram(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		next(sess)
		s.mu.Lock()
		delete(s.programs, sess)
		s.mu.Unlock()
	}
}

// publicKeyAuth admits registered keys (any key in demo mode). Which user a session is comes
// later from the key that actually authenticated (see identify), never from this callback:
// a client may offer several keys, and the last one offered need not be the one that signed.
//
// Go's SSH library lets a client probe MaxAuthTries keys for free before it starts counting,
// so the limit is also kept here: after MaxAuthTries refused keys on one connection, no key is
// accepted on it, not even a registered one.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	progressed(ctx, stageOffered)
	if s.cfg.Demo {
		progressed(ctx, stageKeyOK)
		return true
	}
	ctx.Lock()
	refused, _ := ctx.Value(refusedKey).(int)
	ctx.Unlock()
	fp := gossh.FingerprintSHA256(key)
	if refused >= s.cfg.MaxAuthTries {
		return false
	}
	if _, err := s.cfg.Store.UserByKey(ctx, fp); err != nil {
		ctx.Lock()
		ctx.SetValue(refusedKey, refused+1)
		ctx.Unlock()
		s.limit.keyRefused(remoteIP(ctx.RemoteAddr()))
		s.log.Info("key refused", "remote", ctx.RemoteAddr().String(), "fingerprint", fp, "ssh_user", logField(ctx.User()), "try", refused+1)
		return false
	}
	progressed(ctx, stageKeyOK)
	return true
}

// maxLogField bounds each text a client chose (its SSH user name, TERM, command) in a log
// line: a 120 KB user name used to be copied whole into every line about its connection.
const maxLogField = 256

// logField is a client's text as a log line holds it: cleaned, and cut to maxLogField bytes
// with a mark saying how long it was. (An SSH packet bounds what is cleaned: 256 KB.)
func logField(s string) string { return clean.Cut(clean.Line(s), maxLogField) }

// ctxKey is the type of this package's context keys.
type ctxKey string

const (
	userKey       ctxKey = "sanbai.user"
	registeredKey ctxKey = "sanbai.registered"
	followKey     ctxKey = "sanbai.follow"
	endKey        ctxKey = "sanbai.end"
	refusedKey    ctxKey = "sanbai.refused"
)

// endReason is filled in by the inner handlers and read by the log line.
type endReason struct {
	mu  sync.Mutex
	why string
}

func (e *endReason) set(why string) {
	e.mu.Lock()
	if e.why == "" {
		e.why = why
	}
	e.mu.Unlock()
}

func (e *endReason) get() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.why
}

// logSession writes one structured line per session: who, from where, how long, why it ended.
func (s *Server) logSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		end := &endReason{}
		sess.Context().SetValue(endKey, end)
		next(sess)
		why := end.get()
		if why == "" {
			why = "done"
			if sess.Context().Err() != nil {
				why = "disconnected"
			}
		}
		u, _ := sess.Context().Value(userKey).(store.User)
		pty, _, hasPTY := sess.Pty()
		s.log.Info("session",
			"user", u.Name, "role", string(u.Role),
			"ssh_user", logField(sess.User()),
			"remote", sess.RemoteAddr().String(),
			"command", logField(strings.Join(sess.Command(), " ")),
			"term", logField(pty.Term), "pty", hasPTY,
			"duration", time.Since(start).Round(time.Millisecond).String(),
			"end", why)
	}
}

// recoverPanics turns a panic in a session into a one-line apology on the user's screen and a
// log line with the stack, and keeps the server running for everyone else.
func (s *Server) recoverPanics(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic in session", "panic", fmt.Sprint(r), "remote", sess.RemoteAddr().String())
				if end, ok := sess.Context().Value(endKey).(*endReason); ok {
					end.set("panic")
				}
				fmt.Fprint(sess, "\r\nsanbai: internal error, the session was closed and the problem logged. / 内部错误，会话已结束，已记录。\r\n")
				_ = sess.Exit(1)
			}
		}()
		next(sess)
	}
}

// identify resolves the user from the key that authenticated this connection. In demo mode a
// registered key still gets its own user; anyone else is a township demo user.
func (s *Server) identify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		end, _ := sess.Context().Value(endKey).(*endReason)
		var u store.User
		registered := false
		if pk := sess.PublicKey(); pk != nil {
			found, err := s.cfg.Store.UserByKey(sess.Context(), gossh.FingerprintSHA256(pk))
			if err == nil {
				u, registered = found, true
			}
		}
		if !registered {
			if !s.cfg.Demo {
				if end != nil {
					end.set("unregistered key")
				}
				fmt.Fprintln(sess.Stderr(), "sanbai: this key is not registered. Ask a township administrator to run `sanbai user add`.")
				_ = sess.Exit(1)
				return
			}
			name := clean.Line(sess.User())
			if r := []rune(name); len(r) > 24 {
				name = string(r[:24])
			}
			u = store.User{Name: "demo:" + name, Role: store.RoleTownship}
		}
		sess.Context().SetValue(userKey, u)
		sess.Context().SetValue(registeredKey, registered)
		next(sess)
	}
}

// commands runs `ssh host VERB …` as an admin command for township users; `follow NAME`
// (anyone) opens the TUI following NAME's screen, read-only.
func (s *Server) commands(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 {
			next(sess)
			return
		}
		end, _ := sess.Context().Value(endKey).(*endReason)
		if args[0] == "follow" {
			if len(args) != 2 || clean.Line(args[1]) == "" {
				fmt.Fprintln(sess.Stderr(), "usage: follow NAME   (follow NAME's screen, read-only, e.g. in a meeting)")
				end.set("command exit 2")
				_ = sess.Exit(2)
				return
			}
			sess.Context().SetValue(followKey, clean.Line(args[1]))
			next(sess)
			return
		}
		u, _ := sess.Context().Value(userKey).(store.User)
		// Township users run every verb; village users import and export, inspectors export.
		// The store keeps each to their scope whatever is let through here.
		if !admin.RemoteAllowed(u.Role, args[0]) {
			fmt.Fprintln(sess.Stderr(), admin.RemoteRefusal(u.Role))
			end.set("command refused")
			_ = sess.Exit(1)
			return
		}
		args = admin.WithLang(args, pickLang(u.Lang, sess.Environ(), s.cfg.Lang))
		// The input knows when the connection drops, so an upload cut short imports nothing.
		stdin := admin.CheckedReader{Reader: sess, Check: admin.Probe(sess.Context(), sess.SendRequest)}
		code := admin.Run(admin.Env{Ctx: sess.Context(), Store: s.cfg.Store, Actor: store.ActorFor(u), Stdin: stdin,
			Stdout: sess, Stderr: sess.Stderr(), Remote: true}, args)
		end.set(fmt.Sprintf("command exit %d", code))
		_ = sess.Exit(code)
	}
}

// requirePTY answers a session without a terminal with one clear line.
func (s *Server) requirePTY(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			fmt.Fprintln(sess.Stderr(), "sanbai needs a terminal: connect with `ssh -t -p PORT host`, or give an admin command such as `user list`.")
			if end, ok := sess.Context().Value(endKey).(*endReason); ok {
				end.set("no pty")
			}
			_ = sess.Exit(1)
			return
		}
		next(sess)
	}
}

// program builds the Bubble Tea program for an interactive session and connects it to the
// store's change feed until the session ends.
func (s *Server) program(sess ssh.Session) *tea.Program {
	u, _ := sess.Context().Value(userKey).(store.User)
	registered, _ := sess.Context().Value(registeredKey).(bool)
	pty, _, _ := sess.Pty()
	lang := pickLang(u.Lang, sess.Environ(), s.cfg.Lang)
	follow, _ := sess.Context().Value(followKey).(string)
	opts := tui.Options{
		// The session's context: its panes' loads stop when it ends.
		Context: sess.Context(),
		Store:   s.cfg.Store, Ledger: s.ledger, Finder: s.finder, Shared: s.shared, User: u, Demo: s.cfg.Demo, Registered: registered, Lang: lang,
		ASCII:    envIs(sess.Environ(), "SANBAI_ASCII", "1"),
		Lean:     pickLean(u.Lean, sess.Environ()),
		Width:    pty.Window.Width,
		Height:   pty.Window.Height,
		Presence: s.presence,
		Follow:   follow,
	}
	if s.cfg.KeyTrace != nil {
		opts.Trace = func(e string) { s.cfg.KeyTrace(u.Name, e) }
	}
	m := tui.New(opts)
	// sshinput: a lone Esc acts at once instead of after the key decoder's 50 ms wait.
	popts := append(bm.MakeOptions(sess), tea.WithInput(sshinput.New(sess)), tea.WithContext(sess.Context()), tea.WithoutSignalHandler(),
		tea.WithFPS(FPS))
	if monochrome(pty.Term) {
		// After wish's options, which give a vt100 or an xterm-mono colour.
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(m, popts...)
	s.mu.Lock()
	if s.closing {
		// Shutdown has already quit the programs it knew of; this one would run on.
		s.mu.Unlock()
		return nil
	}
	s.programs[sess] = p
	s.mu.Unlock()
	sub := s.cfg.Store.Hub().Subscribe()
	// A follower also listens to the presenter's view; a nil channel never fires.
	var following *tui.Following
	var followReady <-chan struct{}
	if follow != "" {
		following = s.presence.Follow(follow)
		followReady = following.Ready()
	}
	go func() {
		defer sub.Close()
		// The drafts the session's forms were typing in may come back in its next session.
		defer m.Close()
		defer func() {
			if following != nil {
				following.Close()
			} else {
				s.presence.Leave(u.Name)
			}
		}()
		for {
			select {
			case <-sess.Context().Done():
				return
			case <-sub.Ready():
				p.Send(tui.ChangedMsg{Changes: sub.Take()})
			case <-followReady:
				p.Send(following.Latest())
			}
		}
	}()
	return p
}

// pickLang chooses the interface language: the user's own setting, else the client's LANG
// (zh… or en…), else the server default.
func pickLang(userLang string, environ []string, def string) string {
	if userLang == "zh" || userLang == "en" {
		return userLang
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if k == "LC_ALL" || k == "LANG" {
			switch {
			case strings.HasPrefix(v, "zh"):
				return "zh"
			case strings.HasPrefix(v, "en"):
				return "en"
			}
		}
	}
	return def
}

// FPS is the frame rate sessions are drawn at: a key waits for the next frame, so at 120 a
// key's update leaves up to 8 ms sooner than at bubbletea's default 60 (docs/BENCHMARKS.md:
// p99 key → update about 10 ms instead of 20), for no more bytes. The renderer only writes
// what changed since the last frame, so more frames cost bytes only when keys fall between
// two frames that would have been one; the bench's typing bursts measure that.
const FPS = 120

// pickLean chooses the lean display: SANBAI_LEAN=1 or 0 sent by the client (ssh -o
// SetEnv=SANBAI_LEAN=1) decides for this session, else the user's remembered choice.
func pickLean(userLean bool, environ []string) bool {
	switch {
	case envIs(environ, "SANBAI_LEAN", "1"):
		return true
	case envIs(environ, "SANBAI_LEAN", "0"):
		return false
	}
	return userLean
}

func envIs(environ []string, key, val string) bool {
	for _, kv := range environ {
		if kv == key+"="+val {
			return true
		}
	}
	return false
}
