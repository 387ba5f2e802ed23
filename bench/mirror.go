package bench

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"

	"sanbai/query"
	"sanbai/sshinput"
	"sanbai/sshserver"
	"sanbai/store"
	"sanbai/tui"
)

// MirrorOptions are what MirrorServer does differently from sshserver.
type MirrorOptions struct {
	// FPS, when not zero, sets the renderer's frame rate instead of sshserver.FPS (to
	// measure what a different rate would change).
	FPS int
	// Wrap, when set, wraps the root model (the stress test records its frames).
	Wrap func(m tea.Model, w, h int) tea.Model
	// RawInput reads the session as bubbletea does by itself, without sshinput, to measure
	// what a lone Esc cost before it.
	RawInput bool
}

// MirrorServer serves the app the way sshserver.program does (the program options wish makes
// for the session, its input through sshinput, the session's context, the change feed), with
// the differences o asks for. Anyone is admitted as a township demo user; only the harness
// listens to it, on loopback.
func MirrorServer(st *store.Store, addr, hostKey string, o MirrorOptions) (*ssh.Server, error) {
	ledger, finder := query.NewLedger(st, nil), query.NewFinder(st) // one for every session, as the server has
	shared := tui.NewShared(st)
	handler := func(sess ssh.Session) *tea.Program {
		pty, _, _ := sess.Pty()
		var m tea.Model = tui.New(tui.Options{Context: sess.Context(), Store: st, Ledger: ledger, Finder: finder, Shared: shared, User: store.User{Name: "demo:" + sess.User(), Role: store.RoleTownship},
			Demo: true, Lang: "zh", Width: pty.Window.Width, Height: pty.Window.Height})
		if o.Wrap != nil {
			m = o.Wrap(m, pty.Window.Width, pty.Window.Height)
		}
		opts := bm.MakeOptions(sess)
		if !o.RawInput {
			opts = append(opts, tea.WithInput(sshinput.New(sess)))
		}
		fps := sshserver.FPS
		if o.FPS != 0 {
			fps = o.FPS
		}
		opts = append(opts, tea.WithContext(sess.Context()), tea.WithoutSignalHandler(), tea.WithFPS(fps))
		p := tea.NewProgram(m, opts...)
		sub := st.Hub().Subscribe()
		go func() {
			defer sub.Close()
			for {
				select {
				case <-sess.Context().Done():
					return
				case <-sub.Ready():
					p.Send(tui.ChangedMsg{Changes: sub.Take()})
				}
			}
		}()
		return p
	}
	return wish.NewServer(
		wish.WithAddress(addr),
		wish.WithHostKeyPath(hostKey),
		wish.WithPublicKeyAuth(func(ssh.Context, ssh.PublicKey) bool { return true }),
		wish.WithMiddleware(bm.MiddlewareWithProgramHandler(handler)),
	)
}
