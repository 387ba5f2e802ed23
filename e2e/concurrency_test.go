package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sanbai/sshserver"
	"sanbai/store"
)

// answerTo waits for the first message ("say") or question ("ask") user's session shows after
// event index from: the answer to the key sent then. It reports whether it was a question.
func answerTo(log *keyLog, user string, from int, d time.Duration) (said string, question, ok bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ev := log.events(user)
		for _, e := range ev[min(from, len(ev)):] {
			switch kind, text, _ := strings.Cut(e, " "); kind {
			case "say":
				return text, false, true
			case "ask":
				return text, true, true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", false, false
}

// TestSessionsTriageTogether: people of one grid (8 in `go test`, SANBAI_SESSIONS of them in
// `make test-crash`, 20), each in their own SSH session,
// change the colour of the same two concerns at once, by keys. Every change acknowledged on a
// screen is in the concern's history by the person who made it, or was already so; a change made
// against a stale screen is not made but reported on that screen ("刚被改过") and cancelled;
// no move is made that no screen acknowledged;
// Rev equals the moves made since the seed, and each move has its audit event.
func TestSessionsTriageTogether(t *testing.T) {
	log := &keyLog{}
	s := startServer(t, false, func(c *sshserver.Config) { c.KeyTrace = log.add })
	all, _ := s.st.Concerns(t.Context(), store.System())
	byGrid := map[string][]store.Concern{}
	var grid string
	for _, c := range all {
		if c.Status.Open() && (c.Tier == store.TierOnSite || c.Tier == store.TierGrid) && c.Project == "" {
			byGrid[c.Grid] = append(byGrid[c.Grid], c)
			if len(byGrid[c.Grid]) == 2 && grid == "" {
				grid = c.Grid
			}
		}
	}
	if grid == "" {
		t.Fatal("no grid with two open grid-tier concerns in the demo")
	}
	targets := byGrid[grid][:2]
	seedMoves := map[string]int{}
	for _, c := range targets {
		seedMoves[c.ID] = len(c.Moves)
	}
	sessions, rounds := 8, 3
	if v := os.Getenv("SANBAI_SESSIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 100 {
			t.Fatalf("SANBAI_SESSIONS=%q", v)
		}
		sessions, rounds = n, 4
	}
	var terms []*term
	names := make([]string, sessions)
	for i := range sessions {
		names[i] = fmt.Sprintf("网格员%02d", i)
		terms = append(terms, s.open(t, s.addUser(t, names[i], store.RoleGrid, grid), 80, 24, nil))
	}
	var mu sync.Mutex
	acked := map[string]int{}
	conflicts := 0
	var wg sync.WaitGroup
	for i, tm := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := targets[i%2].ID
			if !ackWait(tm, func(s string) bool { return strings.Contains(s, "覆盖") }, 60*time.Second) {
				t.Errorf("%s: no first screen", names[i])
				return
			}
			tm.stdin.Write([]byte("3"))
			tm.stdin.Write([]byte("/" + id + "\r"))
			if !ackWait(tm, func(s string) bool { return strings.Contains(line(s, "▸"), id) }, 60*time.Second) {
				t.Errorf("%s: %s not selected:\n%s", names[i], id, tm.screen())
				return
			}
			for range rounds {
				sel := line(tm.screen(), "▸")
				var cur store.Tag
				for word, tag := range tagWord {
					if strings.Contains(sel, " "+word+" ") {
						cur = tag
					}
				}
				next := store.Tags()[(indexOf(cur)+1)%3]
				// The answer to this key, not a footer left from the round before: the first
				// message or question the session shows after the key (its key trace).
				from := len(log.events(names[i]))
				tm.stdin.Write([]byte(tagKey[next]))
				said, stale, ok := answerTo(log, names[i], from, 30*time.Second)
				if !ok {
					t.Errorf("%s: no answer to %s: %v\n%s", names[i], tagKey[next], log.events(names[i])[from:], tm.screen())
					return
				}
				if !stale && !strings.Contains(said, "挂"+tagName[next]+"牌") {
					t.Errorf("%s: %s answered with %q", names[i], tagKey[next], said)
					return
				}
				mu.Lock()
				if stale {
					conflicts++
				} else {
					acked[names[i]]++
				}
				mu.Unlock()
				if stale {
					// Cancel: the screen reloads to what is there now.
					from = len(log.events(names[i]))
					tm.stdin.Write([]byte("n"))
					if _, _, ok := answerTo(log, names[i], from, 30*time.Second); !ok {
						t.Errorf("%s: the question took no n: %v", names[i], log.events(names[i])[from:])
						return
					}
				}
				// Let the other sessions' changes reach this screen before the next look.
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	moves := map[string]int{}
	events, _ := s.st.Audit(t.Context(), store.System(), 100000)
	total := 0
	for _, c0 := range targets {
		c, _ := s.st.Concern(t.Context(), store.System(), c0.ID)
		since := c.Moves[seedMoves[c.ID]:]
		// A change is one Rev; its moves share it (a tag, and the deadline a more urgent
		// tag brought forward).
		if n := store.Changes(since); c.Rev-c0.Rev != n {
			t.Fatalf("%s: rev %d but %d changes since the seed: an update was lost", c.ID, c.Rev, n)
		}
		prev := string(c0.Tag)
		for _, m := range since {
			if m.Action != "tag" {
				continue
			}
			moves[m.By]++
			if m.From != prev {
				t.Fatalf("%s: a move from %s when the tag was %s: a silent overwrite", c.ID, m.From, prev)
			}
			prev = m.To
		}
		n := 0
		for _, e := range events {
			if e.Key == "concern/"+c.Village+"/"+c.ID {
				n++
			}
		}
		if n != c.Rev-c0.Rev {
			t.Fatalf("%s: %d changes, %d audit events", c.ID, c.Rev-c0.Rev, n)
		}
		total += c.Rev - c0.Rev
	}
	// A screen may lag its own model by a frame: the person presses 绿 on a row the model
	// already knows someone else turned green, and the store, asked to make it what it is,
	// changes nothing and says so with the same message. So an acknowledgement may lack a move
	// of its own (the concern does have that colour); a move nobody acknowledged may not exist.
	noops := 0
	for _, n := range names {
		if moves[n] > acked[n] {
			t.Fatalf("%s: %d changes in the history, only %d acknowledged on screen", n, moves[n], acked[n])
		}
		noops += acked[n] - moves[n]
	}
	t.Logf("%d sessions, %d key presses on 2 concerns: %d changes made and acknowledged (%d more acknowledged that were already so), %d conflicts reported on screen and cancelled, none lost",
		sessions, sessions*rounds, total, noops, conflicts)
}
