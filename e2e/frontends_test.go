package e2e

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/sshserver"
	"sanbai/store"
	"sanbai/store/pgstore"
	"sanbai/store/pgstore/pgtest"
)

// startFrontEnd serves the store in the PostgreSQL database at url on a random loopback port,
// as one of several front ends of one ledger; seed seeds the demo township first.
func startFrontEnd(t *testing.T, url string, seed bool) *server {
	t.Helper()
	st, err := pgstore.Open(t.Context(), url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if seed {
		if err := demo.Seed(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sshserver.New(sshserver.Config{Store: st, Listen: l.Addr().String(),
		HostKeyPath: filepath.Join(t.TempDir(), "host_ed25519")})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &server{st: st, addr: l.Addr().String(), srv: srv}
}

// TestTwoFrontEnds: two front ends serve one PostgreSQL database. A user registered through one
// logs in on the other, and a concern's colour changed in a session on front end A shows in a
// session on front end B within a second of A saying it is done.
func TestTwoFrontEnds(t *testing.T) {
	url := pgtest.Database(t)
	fa := startFrontEnd(t, url, true)
	fb := startFrontEnd(t, url, false)
	a := fa.open(t, fa.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	b := fb.open(t, fa.addUser(t, "张强", store.RoleTownship, ""), 80, 24, nil)
	for _, tm := range []*term{a, b} {
		tm.waitText("覆盖  户")
		tm.send("3")
		tm.waitText("[3 台账]", "编号")
		tm.waitSelected()
	}
	id := selectedID(t, a.waitSelected())
	before, err := fb.st.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	keyFor, word := "g", "绿"
	if before.Tag == store.TagGreen {
		keyFor, word = "y", "黄"
	}
	a.send(keyFor)
	a.waitText("已挂", id)
	acked := time.Now()
	b.waitFor(id+" shown as "+word+" on front end B", func(s string) bool {
		return strings.Contains(line(s, id), " "+word+" ")
	})
	if took := time.Since(acked); took > time.Second {
		t.Fatalf("front end B showed the change %v after A acknowledged it; want within a second", took)
	} else {
		t.Logf("front end B showed the change %v after A acknowledged it", took)
	}
	after, err := fb.st.Concern(t.Context(), store.System(), id)
	if err != nil || after.Tag == before.Tag || after.Moves[len(after.Moves)-1].By != "李明" {
		t.Fatalf("front end B reads %+v %v", after, err)
	}
}

// TestKillFrontEndMidWrite: a front end on PostgreSQL is killed (SIGKILL) while a session on it
// keeps changing a concern's colour, three times over; every change the screen acknowledged is
// in the database afterwards, in the concern's history, and a second front end that stayed up
// serves it.
func TestKillFrontEndMidWrite(t *testing.T) {
	url := pgtest.Database(t)
	bin := buildSanbai(t)
	survivor := startFrontEnd(t, url, true)
	key := survivor.addUser(t, "王芳", store.RoleTownship, "")
	var acked []store.Tag
	var id string
	for cycle := range 3 {
		c := startChild(t, bin, t.TempDir(), "--store", url)
		s := &server{addr: c.addr}
		tm := s.open(t, key, 80, 24, nil)
		tm.waitText("覆盖  户")
		tm.send("3")
		if id == "" {
			tm.waitText("[3 台账]", "编号")
			id = selectedID(t, tm.waitSelected())
		} else {
			tm.send("/" + id + "\r")
		}
		tm.waitFor(id+" selected", func(s string) bool { return strings.Contains(line(s, "▸"), id) })
		stop := time.After(time.Duration(300+200*cycle) * time.Millisecond)
	writes:
		for {
			var cur store.Tag
			for word, tag := range tagWord {
				if strings.Contains(line(tm.screen(), "▸"), " "+word+" ") {
					cur = tag
				}
			}
			next := store.Tags()[(indexOf(cur)+1)%3]
			tm.send(tagKey[next])
			if !ackWait(tm, func(s string) bool {
				return strings.Contains(s, "挂"+tagName[next]+"牌") && strings.Contains(line(s, "▸"), " "+tagName[next]+" ")
			}, 10*time.Second) {
				break
			}
			acked = append(acked, next)
			select {
			case <-stop:
				break writes
			default:
			}
		}
		// Kill it with a change just sent, unanswered: mid-write.
		tm.send("r")
		c.kill()
		tm.close()
	}
	if len(acked) < 3 {
		t.Fatalf("only %d changes acknowledged", len(acked))
	}
	c, err := survivor.st.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.Move
	for _, m := range c.Moves {
		if m.By == "王芳" {
			mine = append(mine, m)
		}
	}
	// Each acknowledged change is a move; at most one more per kill went in unanswered.
	if len(mine) < len(acked) || len(mine) > len(acked)+3 {
		t.Fatalf("%d changes acknowledged, %d moves by the user in the database", len(acked), len(mine))
	}
	t.Logf("%d changes acknowledged across 3 kills, %d moves stored", len(acked), len(mine))
}
