package e2e

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/admin"
	"sanbai/sshserver"
	"sanbai/store"
)

// TestLoginAndPanes logs in with a registered key at 80×24, sees the header with the user and
// the four panes filled with the demo township, switches panes by number and Tab, opens help,
// and quits.
func TestLoginAndPanes(t *testing.T) {
	s := startServer(t, false)
	// The name arrives with escape sequences; the store keeps only 王五.
	key := s.addUser(t, "\x1b]0;pwned\x07\x1b[2J王五", store.RoleTownship, "")
	tm := s.open(t, key, 80, 24, nil)

	scr := tm.waitText("1 线路", "2 走访", "3 台账", "4 回头看", "王五(镇)", "覆盖  户")
	if strings.Contains(scr, "pwned") {
		t.Fatalf("escape sequence text reached the screen:\n%s", scr)
	}
	if !regexp.MustCompile(`户 \d+/\d+`).MatchString(scr) {
		t.Fatalf("routes pane shows no household coverage:\n%s", scr)
	}
	if !strings.Contains(scr, "第一组") {
		t.Fatalf("routes pane lists no groups:\n%s", scr)
	}

	tm.send("2")
	tm.waitText("[2 走访]", "次走访")
	tm.send("3")
	scr = tm.waitText("[3 台账]", "编号", "时限")
	if !regexp.MustCompile(`[A-Z]{2}-\d{4}`).MatchString(scr) {
		t.Fatalf("queue pane shows no concern IDs:\n%s", scr)
	}
	for _, tier := range []string{"现场", "网格", "新村", "镇"} {
		if !strings.Contains(line(scr, "红 "), tier) {
			t.Fatalf("queue header lacks tier %s:\n%s", tier, scr)
		}
	}
	tm.send("4")
	tm.waitText("[4 回头看]", "应回访", "回访率")
	tm.send("tab")
	tm.waitText("[5 总览]")
	tm.send("tab")
	tm.waitText("[1 线路]")
	tm.send("?")
	tm.waitText("帮助", "退出")
	tm.send("x") // any key closes help
	tm.waitText("覆盖  户")

	// Every line fits in 80 cells: nothing wraps and pushes the header off the screen.
	scr = tm.screen()
	if first := strings.Split(scr, "\n")[0]; !strings.Contains(first, "线路") {
		t.Fatalf("header scrolled away:\n%s", scr)
	}

	tm.send("q")
	select {
	case <-tm.closed:
	case <-timeout(60):
		t.Fatal("q did not end the session")
	}
}

// TestLiveUpdate changes a concern's tag in one session and sees it in another within a
// second (the wait below polls every 20 ms and allows far more, for slow CI machines).
func TestLiveUpdate(t *testing.T) {
	s := startServer(t, false)
	a := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	b := s.open(t, s.addUser(t, "张强", store.RoleTownship, ""), 80, 24, nil)
	// Both queues loaded, with a row selected: a screen read once could be half a frame.
	for _, tm := range []*term{a, b} {
		tm.waitText("覆盖  户")
		tm.send("3")
		tm.waitText("[3 台账]", "编号")
		tm.waitSelected()
	}
	scrA := a.waitSelected()
	id := selectedID(t, scrA)
	before, err := s.st.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Pick a colour the concern does not have yet.
	keyFor, word := "g", "绿"
	if before.Tag == store.TagGreen {
		keyFor, word = "y", "黄"
	}
	a.send(keyFor)
	a.waitText("已挂", id)
	b.waitFor(id+" shown as "+word+" in the other session", func(s string) bool {
		l := line(s, id)
		return strings.Contains(l, " "+word+" ")
	})
	after, err := s.st.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Tag == before.Tag || len(after.Moves) != len(before.Moves)+1 || after.Moves[len(after.Moves)-1].By != "李明" {
		t.Fatalf("tag change not stored with its history: before %v after %v", before.Tag, after)
	}
	events, err := s.st.Audit(t.Context(), store.System(), 5)
	if err != nil || len(events) == 0 || events[0].Action != "concern.tag" || events[0].Who != "李明" {
		t.Fatalf("no audit event for the tag change: %+v %v", events, err)
	}
}

// TestUnregisteredKeyRefused: outside demo mode, a key nobody registered does not get in.
func TestUnregisteredKeyRefused(t *testing.T) {
	s := startServer(t, false)
	s.addUser(t, "李明", store.RoleTownship, "")
	stranger, _ := newKey(t)
	if c, err := s.dial(gossh.PublicKeys(stranger)); err == nil {
		c.Close()
		t.Fatal("an unregistered key was admitted")
	}
	// Nor does a client with no key at all.
	if c, err := s.dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })); err == nil {
		c.Close()
		t.Fatal("a client without a key was admitted")
	}
}

// TestDemoAdmitsAnyone: in demo mode any key, or none, gets in as a township demo user.
func TestDemoAdmitsAnyone(t *testing.T) {
	s := startServer(t, true)
	stranger, _ := newKey(t)
	tm := s.open(t, stranger, 80, 24, nil)
	tm.waitText("[演示]", "访客(镇)", "覆盖  户")
	c, err := s.dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	if err != nil {
		t.Fatalf("demo mode refused a client without a key: %v", err)
	}
	c.Close()
}

// TestVillageScope: a village user sees only their village's concerns.
func TestVillageScope(t *testing.T) {
	s := startServer(t, false)
	vs, err := s.st.Villages(t.Context(), store.System())
	if err != nil || len(vs) < 2 {
		t.Fatalf("villages: %v %v", vs, err)
	}
	mine := vs[1]
	tm := s.open(t, s.addUser(t, "刘书记", store.RoleVillage, mine.Code), 80, 24, nil)
	tm.waitText(mine.Name, "刘书记(新村)")
	tm.send("3")
	scr := tm.waitText("[3 台账]", "编号")
	for _, id := range regexp.MustCompile(`\b([A-Z]{2})-\d{4}`).FindAllStringSubmatch(scr, -1) {
		if id[1] != mine.Code {
			t.Fatalf("village user of %s sees %s:\n%s", mine.Code, id[0], scr)
		}
	}
}

// TestCommandsOverSSH: township users run admin verbs as SSH commands; others are refused;
// a session without a PTY gets one clear line.
func TestCommandsOverSSH(t *testing.T) {
	s := startServer(t, false)
	boss := s.addUser(t, "李明", store.RoleTownship, "")
	vs, _ := s.st.Villages(t.Context(), store.System())
	clerk := s.addUser(t, "陈静", store.RoleVillage, vs[0].Code)

	out, code := run(t, s, boss, "user list")
	if code != 0 || !strings.Contains(out, "李明") || !strings.Contains(out, "陈静") {
		t.Fatalf("user list: code %d\n%s", code, out)
	}
	_, line := newKey(t)
	out, code = run(t, s, boss, "user add --name 赵军 --role inspector --key '"+strings.TrimSpace(line)+"'")
	if code != 0 || !strings.Contains(out, "赵军") {
		t.Fatalf("user add over ssh: code %d\n%s", code, out)
	}
	if _, err := s.st.UserByKey(t.Context(), fingerprint(t, line)); err != nil {
		t.Fatalf("user added over ssh is not registered: %v", err)
	}
	out, code = run(t, s, clerk, "user list")
	if code == 0 || !strings.Contains(out, "township") {
		t.Fatalf("a village user ran an admin command: code %d\n%s", code, out)
	}
	out, code = run(t, s, boss, "")
	if code == 0 || !strings.Contains(out, "needs a terminal") {
		t.Fatalf("no-pty session: code %d\n%s", code, out)
	}
	out, code = run(t, s, boss, "frobnicate")
	if code != 2 || !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown verb: code %d\n%s", code, out)
	}
}

func fingerprint(t *testing.T, line string) string {
	fp, _, err := admin.ParseKey(line)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// run runs a command (or a shell, for "") without a PTY and returns its combined output and
// exit status.
func run(t *testing.T, s *server, key gossh.Signer, cmd string) (string, int) {
	t.Helper()
	c, err := s.dial(gossh.PublicKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var buf syncBuffer
	sess.Stdout, sess.Stderr = &buf, &buf
	if cmd == "" {
		err = sess.Shell()
		if err == nil {
			err = sess.Wait()
		}
	} else {
		err = sess.Run(cmd)
	}
	if err == nil {
		return buf.String(), 0
	}
	if ee, ok := err.(*gossh.ExitError); ok {
		return buf.String(), ee.ExitStatus()
	}
	t.Fatalf("%q: %v", cmd, err)
	return "", -1
}

// syncBuffer is a buffer two copying goroutines (stdout and stderr) can write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConnectionCaps: past the per-address cap on established connections, a new connection's
// session is refused with one clear line, and a slot frees when a connection closes.
// (Connections still signing in are bounded separately; see abuse_test.go.)
func TestConnectionCaps(t *testing.T) {
	s := startServer(t, false, func(c *sshserver.Config) { c.MaxConnsPerIP = 2 })
	key := s.addUser(t, "李明", store.RoleTownship, "")
	var open []*gossh.Client
	for i := 0; i < 2; i++ {
		c, err := s.dial(gossh.PublicKeys(key))
		if err != nil {
			t.Fatalf("connection %d refused under the cap: %v", i+1, err)
		}
		if _, code := command(t, c, "user list"); code != 0 {
			t.Fatalf("session %d refused under the cap", i+1)
		}
		open = append(open, c)
	}
	third, err := s.dial(gossh.PublicKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if out, code := command(t, third, "user list"); code == 0 || !strings.Contains(out, "connection limit") {
		t.Fatalf("a third connection from one address was admitted: %d %q", code, out)
	}
	open[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, code := command(t, third, "user list"); code == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("slot not freed after close")
		}
		time.Sleep(50 * time.Millisecond)
	}
	open[1].Close()
}

// TestAuthTriesAreLimited: a client offering many unregistered keys is cut off after the
// allowed number of tries, before it reaches a registered one.
func TestAuthTriesAreLimited(t *testing.T) {
	s := startServer(t, false)
	good := s.addUser(t, "李明", store.RoleTownship, "")
	var signers []gossh.Signer
	for i := 0; i < 6; i++ {
		k, _ := newKey(t)
		signers = append(signers, k)
	}
	signers = append(signers, good)
	if c, err := s.dial(gossh.PublicKeys(signers...)); err == nil {
		c.Close()
		t.Fatal("seven keys tried on one connection; the limit is four")
	}
	if c, err := s.dial(gossh.PublicKeys(good)); err != nil {
		t.Fatalf("the registered key alone: %v", err)
	} else {
		c.Close()
	}
}
