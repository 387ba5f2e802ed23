package e2e

// The crash harness: sanbai serve runs as a child process over a real data directory; sessions
// triage concerns by keys in the queue pane and a township user adds users over SSH; the server
// is killed with SIGKILL at a random moment, and before it is started again the store is opened
// directly and checked:
//
//   - it opens, with no repair step and no error from Badger;
//   - every write acknowledged on a screen (the footer said 已挂X牌; the command said "added")
//     is there, in order, and nothing is there that was not attempted;
//   - every concern is at exactly one valid tier, with a valid tag and status, and its Rev
//     equals the moves made since the seed;
//   - every changed row has its audit events, the last of which holds the row as stored;
//   - the coverage the routes pane shows after the restart equals a recount from the store.
//
// `go test` runs a few cycles; `make test-crash` runs SANBAI_CRASH_CYCLES of them (60).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/admin"
	"sanbai/store"
)

// crashCycles is how many kill/restart cycles to run: SANBAI_CRASH_CYCLES, or a few.
func crashCycles(t *testing.T) int {
	if v := os.Getenv("SANBAI_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			t.Fatalf("SANBAI_CRASH_CYCLES=%q", v)
		}
		return n
	}
	if testing.Short() {
		return 2
	}
	return 4
}

// buildSanbai builds the server binary once per test, with the race detector when the test has
// it (so its packages come from the build cache the test itself filled).
func buildSanbai(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sanbai")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "sanbai")...)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is one run of sanbai serve.
type child struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startChild starts the server and waits until it listens; extra are more serve flags (a
// --store).
func startChild(t *testing.T, bin, dir string, extra ...string) *child {
	t.Helper()
	for attempt := 0; attempt < 3; attempt++ {
		addr := freeAddr(t)
		cmd := exec.Command(bin, append([]string{"serve", "--data", dir, "--listen", addr}, extra...)...)
		cmd.Env = append(os.Environ(), "SANBAI_KEY=", "SANBAI_KEY_FILE=")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := &child{cmd: cmd, addr: addr, done: make(chan struct{})}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			ok := false
			for sc.Scan() {
				if !ok && strings.Contains(sc.Text(), "listening on") {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
		}()
		go func() { cmd.Wait(); close(c.done) }()
		select {
		case ok := <-ready:
			if ok {
				return c
			}
		case <-time.After(30 * time.Second):
		}
		c.kill()
	}
	t.Fatal("the server did not start")
	return nil
}

// kill sends SIGKILL and waits for the process to go.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// attempt is one write a worker tried, and whether the screen acknowledged it.
type attempt struct {
	what  string // the tag, or the user name
	acked bool
}

// ackWait polls tm's screen until ok, the session ends, or the deadline passes.
func ackWait(tm *term, ok func(string) bool, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok(tm.screen()) {
			return true
		}
		select {
		case <-tm.closed:
			return ok(tm.screen())
		case <-time.After(15 * time.Millisecond):
		}
	}
	return false
}

var tagWord = map[string]store.Tag{"红": store.TagRed, "黄": store.TagYellow, "绿": store.TagGreen}
var tagKey = map[store.Tag]string{store.TagRed: "r", store.TagYellow: "y", store.TagGreen: "g"}
var tagName = map[store.Tag]string{store.TagRed: "红", store.TagYellow: "黄", store.TagGreen: "绿"}
var coverageRE = regexp.MustCompile(`户 (\d+)/(\d+)`)

// crashWorker is one session's part in the harness: a village user triaging one concern.
type crashWorker struct {
	user    string
	village string
	concern string
	key     gossh.Signer
	tries   []attempt
}

// run drives the worker's session until it ends: find the concern, then tag it a colour it
// does not have, wait for the acknowledgement, and again. It returns the household coverage the
// routes pane showed first.
func (w *crashWorker) run(tm *term, mu *sync.Mutex, firstScreen *string, started func()) {
	if !ackWait(tm, func(s string) bool { return coverageRE.MatchString(s) }, 20*time.Second) {
		return
	}
	*firstScreen = tm.screen()
	write := func(s string) bool { _, err := tm.stdin.Write([]byte(s)); return err == nil }
	if !write("3") || !ackWait(tm, func(s string) bool { return strings.Contains(s, "编号") }, 20*time.Second) {
		return
	}
	if !write("/"+w.concern+"\r") || !ackWait(tm, func(s string) bool { return strings.Contains(line(s, "▸"), w.concern) }, 20*time.Second) {
		return
	}
	for i := 0; i < 10000; i++ {
		sel := line(tm.screen(), "▸")
		var cur store.Tag
		for word, tag := range tagWord {
			if strings.Contains(sel, " "+word+" ") {
				cur = tag
			}
		}
		if cur == "" {
			return
		}
		next := store.Tags()[(indexOf(cur)+1)%3]
		mu.Lock()
		w.tries = append(w.tries, attempt{what: string(next)})
		n := len(w.tries) - 1
		mu.Unlock()
		started()
		if !write(tagKey[next]) {
			return
		}
		ok := ackWait(tm, func(s string) bool {
			return strings.Contains(s, "已挂"+tagName[next]+"牌") && strings.Contains(line(s, "▸"), " "+tagName[next]+" ")
		}, 10*time.Second)
		if !ok {
			return
		}
		mu.Lock()
		w.tries[n].acked = true
		mu.Unlock()
	}
}

func indexOf(t store.Tag) int {
	for i, x := range store.Tags() {
		if x == t {
			return i
		}
	}
	return 0
}

// TestCrashRestart is the crash harness (see the top of this file).
func TestCrashRestart(t *testing.T) {
	cycles := crashCycles(t)
	bin := buildSanbai(t)
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x5a4ba1))
	t.Logf("crash harness: %d cycles, random seed %d", cycles, seed)

	if out, err := exec.Command(bin, "demo", "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	// Pick one open concern per village that a village user may triage, and note the seed's
	// history length of every concern.
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedMoves := map[string]int{}
	var workers []*crashWorker
	taken := map[string]bool{}
	all, _ := st.Concerns(t.Context(), store.System())
	for _, c := range all {
		seedMoves[c.ID] = len(c.Moves)
		if c.Rev != 0 {
			t.Fatalf("seeded concern %s has rev %d", c.ID, c.Rev)
		}
		if len(workers) < 3 && !taken[c.Village] && c.Status.Open() && c.Tier != store.TierTownship && c.Project == "" {
			taken[c.Village] = true
			workers = append(workers, &crashWorker{user: "村" + c.Village, village: c.Village, concern: c.ID})
		}
	}
	st.Close()
	if len(workers) < 2 {
		t.Fatalf("the demo has too few villages: %d", len(workers))
	}
	adminKey, adminLine := newKey(t)
	register := func(name, role, scope, line string) {
		args := []string{"user", "add", "--data", dir, "--name", name, "--role", role, "--key", strings.TrimSpace(line)}
		if scope != "" {
			args = append(args, "--scope", scope)
		}
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("user add: %v\n%s", err, out)
		}
	}
	register("管理员", "township", "", adminLine)
	for _, w := range workers {
		var line string
		w.key, line = newKey(t)
		register(w.user, "village", w.village, line)
	}

	var mu sync.Mutex
	var adminTries []attempt
	_, spareLine := newKey(t)
	spareLine = strings.TrimSpace(spareLine)
	totalAcked := 0
	for cycle := 1; cycle <= cycles; cycle++ {
		c := startChild(t, bin, dir)
		s := &server{addr: c.addr}
		var terms []*term
		for _, w := range workers {
			terms = append(terms, s.open(t, w.key, 80, 24, nil))
		}
		// The coverage each screen shows first must equal a recount (checked below).
		screens := make([]string, len(workers))
		begun := make(chan struct{})
		var once sync.Once
		started := func() { once.Do(func() { close(begun) }) }
		var wg sync.WaitGroup
		for i, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.run(terms[i], &mu, &screens[i], started) }()
		}
		// The admin: users added over SSH, one connection per command, as people do.
		wg.Add(1)
		stop := make(chan struct{})
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("c%02d-%03d", cycle, i)
				mu.Lock()
				adminTries = append(adminTries, attempt{what: name})
				n := len(adminTries) - 1
				mu.Unlock()
				// Each user needs a key of their own; a fresh one per name is cheap.
				_, line := newKey(t)
				ok := adminAdd(c.addr, adminKey, name, strings.TrimSpace(line))
				if !ok {
					return
				}
				mu.Lock()
				adminTries[n].acked = true
				mu.Unlock()
			}
		}()
		// Kill at a random moment while the writes go on.
		select {
		case <-begun:
		case <-time.After(30 * time.Second):
			t.Fatalf("cycle %d: no session got as far as writing", cycle)
		}
		time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
		c.kill()
		close(stop)
		for _, tm := range terms {
			tm.close()
		}
		wg.Wait()

		acked := verifyStore(t, dir, workers, adminTries, seedMoves, screens, spareLine)
		totalAcked = acked // every cycle checks every write so far
		if t.Failed() {
			t.Fatalf("cycle %d failed", cycle)
		}
	}
	tries := len(adminTries)
	for _, w := range workers {
		tries += len(w.tries)
	}
	t.Logf("%d kill/restart cycles survived: %d writes attempted, %d acknowledged on screen, all %d present after the crashes; invariants held every cycle",
		cycles, tries, totalAcked, totalAcked)
}

// adminAdd runs `user add` over SSH and reports whether the command said it was done.
func adminAdd(addr string, key gossh.Signer, name, line string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		return false
	}
	client := gossh.NewClient(cc, chans, reqs)
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return false
	}
	defer sess.Close()
	out, err := sess.CombinedOutput("user add --name " + name + " --role inspector --key '" + line + "'")
	return err == nil && strings.Contains(string(out), "added "+name)
}

// verifyStore opens the store after a kill and checks it (see the top of the file). It returns
// the number of acknowledged writes it found.
func verifyStore(t *testing.T, dir string, workers []*crashWorker, adminTries []attempt, seedMoves map[string]int, screens []string, spareLine string) int {
	t.Helper()
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(dir, store.Options{Logger: logger})
	if err != nil {
		t.Fatalf("the store does not open after a kill: %v", err)
	}
	defer st.Close()
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("Badger reported errors opening the store after a kill:\n%s", logs.String())
	}
	acked := 0

	// Every row, and the audit trail.
	rows := map[string][]byte{}
	lastAudit := map[string]store.AuditEvent{}
	auditCount := map[string]int{}
	var seqs []uint64
	err = st.Dump(t.Context(), func(k, v []byte) error {
		key := string(k)
		if strings.HasPrefix(key, "audit/") {
			var ev store.AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			seqs = append(seqs, ev.Seq)
			auditCount[ev.Key]++
			if ev.Seq > lastAudit[ev.Key].Seq {
				lastAudit[ev.Key] = ev
			}
			return nil
		}
		rows[key] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Errorf("audit sequence out of order at %d", seqs[i])
		}
	}

	// Concerns: one valid tier, tag and status; Rev = moves since the seed = audit events.
	concerns, err := st.Concerns(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	validStatus := map[store.Status]bool{store.StatusNew: true, store.StatusPlanned: true, store.StatusInProgress: true,
		store.StatusResolved: true, store.StatusClosed: true, store.StatusReopened: true}
	byID := map[string]store.Concern{}
	for _, c := range concerns {
		byID[c.ID] = c
		if indexOfTier(c.Tier) < 0 || tagKey[c.Tag] == "" || !validStatus[c.Status] {
			t.Errorf("%s: tier %q tag %q status %q", c.ID, c.Tier, c.Tag, c.Status)
		}
		if n := store.Changes(c.Moves[seedMoves[c.ID]:]); c.Rev != n {
			t.Errorf("%s: rev %d but %d changes since the seed", c.ID, c.Rev, n)
		}
		key := "concern/" + c.Village + "/" + c.ID
		if auditCount[key] != c.Rev {
			t.Errorf("%s: %d changes but %d audit events", c.ID, c.Rev, auditCount[key])
		}
		if c.Rev > 0 && string(lastAudit[key].After) != string(rows[key]) {
			t.Errorf("%s: the last audit event does not hold the stored row", c.ID)
		}
	}
	// Each worker's acknowledged tags are in the history in order; nothing else is.
	for _, w := range workers {
		c := byID[w.concern]
		var moves []string
		for _, m := range c.Moves[seedMoves[c.ID]:] {
			if m.By == w.user && m.Action == "due" {
				continue // the deadline a more urgent tag brought forward, in the same change
			}
			if m.By != w.user || m.Action != "tag" {
				t.Errorf("%s: a move nobody made: %+v", c.ID, m)
			}
			moves = append(moves, m.To)
		}
		// An unacknowledged try (the one the kill cut short) either committed or not; if it
		// did not, the next cycle tries the same colour again (the screen still shows the old
		// one), and if it did, the next try is another colour.
		i := 0
		for j, a := range w.tries {
			if !a.acked && j+1 < len(w.tries) && w.tries[j+1].what == a.what {
				continue
			}
			if i < len(moves) && moves[i] == a.what {
				i++
				if a.acked {
					acked++
				}
				continue
			}
			if a.acked {
				t.Errorf("%s: acknowledged tag %s by %s is missing (history %v, tries %v)", c.ID, a.what, w.user, moves, w.tries)
				break
			}
		}
		if i != len(moves) {
			t.Errorf("%s: history %v holds moves that were never tried (%v)", c.ID, moves, w.tries)
		}
	}
	// Users: every acknowledged add is there, each with its key index and audit events.
	users, err := st.Users(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]store.User{}
	for _, u := range users {
		have[u.Name] = u
		if string(lastAudit["user/"+u.Name].After) != string(rows["user/"+u.Name]) {
			t.Errorf("user %s: the last audit event does not hold the stored row", u.Name)
		}
		for _, k := range u.Keys {
			fp, _, err := admin.ParseKey(k)
			if err != nil {
				t.Errorf("user %s: key %v", u.Name, err)
				continue
			}
			if got, err := st.UserByKey(t.Context(), fp); err != nil || got.Name != u.Name {
				t.Errorf("user %s: key index broken: %v %v", u.Name, got.Name, err)
			}
		}
	}
	for _, a := range adminTries {
		if a.acked {
			if _, ok := have[a.what]; !ok {
				t.Errorf("acknowledged user %s is missing", a.what)
			}
			acked++
		}
	}
	// Coverage on screen equals a recount.
	hhs, _ := st.Households(t.Context(), store.System())
	visits, _ := st.Visits(t.Context(), store.System())
	for i, w := range workers {
		if screens[i] == "" {
			continue
		}
		a := store.Actor{Name: w.user, Role: store.RoleVillage, Village: w.village}
		n, visited := 0, map[string]bool{}
		in := map[string]bool{}
		for _, h := range hhs {
			if a.CanSee(h.Village, h.Grid) {
				n++
				in[h.ID] = true
			}
		}
		for _, v := range visits {
			if in[v.Household] {
				visited[v.Household] = true
			}
		}
		m := coverageRE.FindStringSubmatch(screens[i])
		if m == nil || m[1] != strconv.Itoa(len(visited)) || m[2] != strconv.Itoa(n) {
			t.Errorf("%s: coverage on screen %v, recount %d/%d", w.user, m, len(visited), n)
		}
	}
	// The store takes a write after the crash (and it is a real one: a user added, then
	// removed again, both audited).
	if spare, err := admin.WithKeys(store.User{Name: "crashcheck", Role: store.RoleInspector}, spareLine); err != nil {
		t.Errorf("the spare key: %v", err)
	} else if _, err := st.AddUser(t.Context(), store.System(), spare, ""); err != nil {
		t.Errorf("write after the crash: %v", err)
	} else if err := st.RemoveUser(t.Context(), store.System(), "crashcheck"); err != nil {
		t.Errorf("write after the crash: %v", err)
	}
	return acked
}

func indexOfTier(t store.Tier) int {
	for i, x := range store.Tiers() {
		if x == t {
			return i
		}
	}
	return -1
}
