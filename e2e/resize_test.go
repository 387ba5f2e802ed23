package e2e

import (
	"testing"
	"time"

	"sanbai/store"
)

// TestResizeWhileSessionStartsAndEnds: a client that resizes its window from the moment the
// shell is granted until the session has ended. The SSH library updates the session's window
// on its request loop while the middleware chain reads it (the window clamp as the session
// starts, the log line as it ends); unpatched, charm.land/ssh v0.4.3 does so with no lock and
// the race detector fails this test (see patches/ssh). The session must draw, follow the last
// size and end on q.
func TestResizeWhileSessionStartsAndEnds(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	// No waiting for the first frame: the storm overlaps the handler's start.
	storm := func() {
		for i := 0; i < 50; i++ {
			windowChange(tm.sess, 100, 30)
			windowChange(tm.sess, 80, 24)
		}
	}
	storm()
	tm.waitText("1 线路", "覆盖  户")
	tm.send("q")
	// Keep resizing while the session winds down, until the server has closed it.
	deadline := timeout(60)
	for {
		select {
		case <-tm.closed:
			return
		case <-deadline:
			t.Fatalf("q did not end the session; screen:\n%s", tm.screen())
		default:
			storm()
			time.Sleep(5 * time.Millisecond) // a storm, not a busy loop on a shared machine
		}
	}
}
