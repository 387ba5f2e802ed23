package e2e

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sanbai/search"
	"sanbai/sshserver"
	"sanbai/store"
)

// keyLog is the server's key trace (sshserver.Config.KeyTrace): per user, every key its
// session's program received ("recv"), held back ("held") and applied ("key"), and every
// message ("say") and question ("ask") it showed.
type keyLog struct {
	mu sync.Mutex
	ev map[string][]string
}

func (l *keyLog) add(user, event string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ev == nil {
		l.ev = map[string][]string{}
	}
	l.ev[user] = append(l.ev[user], event)
}

// events returns a copy of user's events.
func (l *keyLog) events(user string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ev[user])
}

// of returns the payloads of one kind of event ("recv", "key", "say", "ask").
func of(ev []string, kind string) []string {
	var out []string
	for _, e := range ev {
		if k, v, _ := strings.Cut(e, " "); k == kind {
			out = append(out, v)
		}
	}
	return out
}

// driver is the session typing bursts, and what it has typed so far.
type driver struct {
	t    *testing.T
	tm   *term
	log  *keyLog
	user string
	sent []string // the keys written, by the name the program gives them
	// answers marks the keys of sent that answered a question: they overtake keys typed
	// before the question, which wait beneath it.
	answers map[int]bool
	asks    int // questions answered
}

// keyNames is how Bubble Tea names the keys of a write.
func keyNames(s string) []string {
	var out []string
	for _, r := range s {
		switch r {
		case '\r':
			out = append(out, "enter")
		case ' ':
			out = append(out, "space")
		default:
			out = append(out, string(r))
		}
	}
	return out
}

// burst writes keys in one write, as a paste or a laggy link delivers them, and waits until
// the program has received and applied every key it was sent, in order; questions that
// appear meanwhile are answered with answer. It fails the test on a key lost or misread.
func (d *driver) burst(keys, answer string) {
	d.t.Helper()
	d.sent = append(d.sent, keyNames(keys)...)
	if _, err := d.tm.stdin.Write([]byte(keys)); err != nil {
		d.t.Fatal(err)
	}
	d.settle(answer)
}

// settle waits until every key sent has been applied, answering questions as they come.
func (d *driver) settle(answer string) {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ev := d.log.events(d.user)
		if d.answer(ev, answer) {
			continue
		}
		recv, applied := of(ev, "recv"), append(of(ev, "key"), of(ev, "answer")...)
		if len(applied) == len(d.sent) && len(recv) == len(d.sent) {
			d.check(ev)
			return
		}
		if len(recv) > len(d.sent) || len(applied) > len(d.sent) {
			d.check(ev)
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: keys lost: sent %d %v\nreceived %d %v\napplied %d %v\nscreen:\n%s", d.user, len(d.sent), d.sent,
				len(recv), recv, len(applied), applied, d.tm.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// answer answers a question that appeared since the last one, as the person would after
// reading it, and reports whether there was one.
func (d *driver) answer(ev []string, answer string) bool {
	asks := of(ev, "ask")
	if len(asks) <= d.asks {
		return false
	}
	d.asks = len(asks)
	if d.answers == nil {
		d.answers = map[int]bool{}
	}
	for _, k := range keyNames(answer) {
		d.answers[len(d.sent)] = true
		d.sent = append(d.sent, k)
	}
	if _, err := d.tm.stdin.Write([]byte(answer)); err != nil {
		d.t.Fatal(err)
	}
	return true
}

// check compares what was sent with what the program received and applied, key by key:
// received in the order sent; the keys applied in that order, less the answers to questions,
// which are applied to the question as they come.
func (d *driver) check(ev []string) {
	d.t.Helper()
	recv, applied, answered := of(ev, "recv"), of(ev, "key"), of(ev, "answer")
	var keys, answers []string
	for i, k := range d.sent {
		if d.answers[i] {
			answers = append(answers, k)
		} else {
			keys = append(keys, k)
		}
	}
	prefix := func(got, want []string) bool {
		return len(got) <= len(want) && slices.Equal(got, want[:len(got)])
	}
	if !prefix(recv, d.sent) || !prefix(applied, keys) || !prefix(answered, answers) {
		d.t.Fatalf("%s: keys misread or reordered:\nsent     %v\nreceived %v\napplied  %v\nanswers  %v (sent %v)", d.user, d.sent, recv, applied, answered, answers)
	}
}

// waitSay waits for a message shown after event index from that contains want, answering
// the questions that come first; then every key sent must have been applied.
func (d *driver) waitSay(from int, answer string, want ...string) string {
	d.t.Helper()
	defer d.settle(answer)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ev := d.log.events(d.user)
		if d.answer(ev, answer) {
			continue
		}
		for _, s := range of(ev[min(from, len(ev)):], "say") {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(s, w)
			}
			if ok {
				return s
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: no message with %v; events since: %v\nscreen:\n%s", d.user, want, ev[min(from, len(ev)):], d.tm.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var countRE = regexp.MustCompile(`：(\d+) 条`)

// accounted counts the concerns a triage message speaks for: "已挂绿牌：7 条  BT-0001 BT-0002
// BT-0003 本来就是这样，未改动（挂绿牌）" speaks for ten.
func accounted(said string) int {
	n := 0
	for _, part := range strings.Split(said, "  ") {
		if i := strings.Index(part, "本来就是这样"); i >= 0 {
			n += len(idRE.FindAllString(part[:i], -1))
			continue
		}
		if m := countRE.FindStringSubmatch(part); m != nil {
			x, _ := strconv.Atoi(m[1])
			n += x
			continue
		}
		if strings.HasPrefix(part, "已") {
			n += len(idRE.FindAllString(part, -1))
		}
	}
	return n
}

// TestKeyFidelity types the meeting's keys as bursts (each one write) over real SSH while
// other people change the same concerns, and compares, key by key, what was sent with what
// the server's program received and applied (its key trace), and what each burst did with
// what it would have done had it been typed slowly: a filter picked by typing, an owner
// picked by pinyin initials, ten rows marked and tagged, three tags on a concern others are
// changing, with the conflict questions answered. It runs 3 times in `make test` and
// SANBAI_FIDELITY_RUNS times (50) in `make test-crash`.
func TestKeyFidelity(t *testing.T) {
	runs := 3
	if v := os.Getenv("SANBAI_FIDELITY_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SANBAI_FIDELITY_RUNS=%q", v)
		}
		runs = n
	}
	log := &keyLog{}
	s := startServer(t, false, func(c *sshserver.Config) { c.KeyTrace = log.add })
	// The concern others keep changing, and a person to own it picked by initials.
	all, _ := s.st.Concerns(t.Context(), store.System())
	var target store.Concern
	for _, c := range all {
		if c.Village == "DL" && c.Status.Open() && c.Supervisor == "" {
			target = c
			break
		}
	}
	owner, initials := initialsOf(t, s.st, target.ID)
	// The village whose rows are marked: one nobody else changes, with more than ten open.
	open := map[string]int{}
	for _, c := range all {
		if c.Status.Open() && c.Village != "DL" {
			open[c.Village]++
		}
	}
	quiet := ""
	for v, n := range open {
		if n > 12 && (quiet == "" || v < quiet) {
			quiet = v
		}
	}
	if quiet == "" {
		t.Fatalf("no village but DL with more than 12 open concerns: %v", open)
	}
	// Others change the concern's tag, many times a second, until the test ends.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range []string{"王五", "赵六"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other := store.Actor{Name: name, Role: store.RoleTownship}
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(40+20*i) * time.Millisecond):
				}
				s.st.SetTag(t.Context(), other, target.ID, store.Tags()[n%3])
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()

	var keys, waited, asked int
	for run := range runs {
		name := fmt.Sprintf("主持人%02d", run)
		tm := s.open(t, s.addUser(t, name, store.RoleTownship, ""), 80, 24, nil)
		tm.waitText("覆盖  户")
		d := &driver{t: t, tm: tm, log: log, user: name}

		// The queue and a filter picked by typing, as one write.
		d.burst("3fDL\r", "y")
		tm.waitFor("the DL filter", func(s string) bool {
			return strings.Contains(s, "未办结 · DL") && strings.HasPrefix(selected(s), "DL-")
		})

		// An owner picked by pinyin initials on the concern others are changing; a
		// conflict question is answered y (apply anyway).
		from := len(log.events(name))
		d.burst("0/"+target.ID+"\ro"+initials+"\r", "y")
		d.waitSay(from, "y", "指定责任人", target.ID)
		if c, _ := s.st.Concern(t.Context(), store.System(), target.ID); c.Plan.Owner != owner {
			t.Fatalf("run %d: o %s enter gave %s owner %q, want %q", run, initials, target.ID, c.Plan.Owner, owner)
		}

		// Ten rows marked and tagged, in a village nobody else is changing.
		key := []string{"r", "y", "g"}[run%3]
		word := []string{"红", "黄", "绿"}[run%3]
		from = len(log.events(name))
		d.burst("0f"+quiet+"\r"+strings.Repeat(" ", 10)+key, "y")
		said := d.waitSay(from, "y", "挂"+word+"牌")
		if n := accounted(said); n != 10 || strings.Contains(said, "未成功") {
			t.Fatalf("run %d: space×10 %s: %q accounts for %d concerns, want 10", run, key, said, n)
		}

		// Three quick tags on the concern others are changing: conflicts are asked, answered
		// y, and every tag lands in the order typed.
		from = len(log.events(name))
		d.burst("0/"+target.ID+"\rryg", "y")
		d.waitSay(from, "y", "挂绿牌")
		c, _ := s.st.Concern(t.Context(), store.System(), target.ID)
		var mine []string
		for _, m := range c.Moves {
			if m.By == name && m.Action == string(store.OpTag) {
				mine = append(mine, m.To)
			}
		}
		if !inOrder(mine, []string{"red", "yellow", "green"}) {
			t.Fatalf("run %d: r y g on %s made %v", run, target.ID, mine)
		}
		keys, waited, asked = keys+len(d.sent), waited+len(of(log.events(name), "held")), asked+d.asks
		tm.close()
	}
	t.Logf("%d runs: %d keys typed in bursts, every one received and applied in order; %d waited for their receiver, %d conflict questions answered", runs, keys, waited, asked)
}

// inOrder reports whether got is want with some left out, in want's order.
func inOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		for i < len(want) && want[i] != g {
			i++
		}
		if i == len(want) {
			return false
		}
		i++
	}
	return true
}

// initialsOf finds someone the concern may be given to whose pinyin initials no one else in
// the owner picker shares, and returns the name and initials.
func initialsOf(t *testing.T, st *store.Store, concern string) (string, string) {
	t.Helper()
	owners, err := st.Owners(t.Context(), store.Actor{Name: "李明", Role: store.RoleTownship}, concern)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		ini := strings.Fields(strings.Split(search.Key(o.Name, o.Detail), "\x00")[2])[0]
		if len(ini) < 2 {
			continue
		}
		hits := 0
		for _, p := range owners {
			if search.Match(search.Key(p.Name, p.Detail), []string{ini}) {
				hits++
			}
		}
		if hits == 1 {
			return o.Name, ini
		}
	}
	t.Fatalf("no one for %s with initials of their own", concern)
	return "", ""
}
