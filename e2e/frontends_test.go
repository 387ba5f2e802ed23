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
