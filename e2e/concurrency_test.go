package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sanbai/store"
)

// TestSessionsTriageTogether: people of one grid (8 in `go test`, SANBAI_SESSIONS of them in
// `make test-crash`, 20), each in their own SSH session,
// change the colour of the same two concerns at once, by keys. Every change acknowledged on a
// screen is in the concern's history by the person who made it, or was already so; a change made
// against a stale screen is not made but reported on that screen ("刚被改过") and cancelled;
// no move is made that no screen acknowledged;
// Rev equals the moves made since the seed, and each move has its audit event.
func TestSessionsTriageTogether(t *testing.T) {
	s := startServer(t, false)
	all, _ := s.st.Concerns(store.System)
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
	resent := map[string]int{} // keys pressed twice (see below), by session
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
				next := store.Tags[(indexOf(cur)+1)%3]
				tm.stdin.Write([]byte(tagKey[next]))
				var stale bool
				answered := func(s string) bool {
					stale = strings.Contains(s, "刚被改过")
					// "本来就是这样": the screen caught up with another session's same choice
					// between the look and the key.
					return stale || strings.Contains(s, "已挂"+tagName[next]+"牌") || strings.Contains(s, "本来就是这样")
				}
				ok := ackWait(tm, answered, 20*time.Second)
				if !ok {
					// The open lost-key bug (docs/RELIABILITY.md): under load, about once in
					// six runs, a key has no effect at all. Press it once more and say so; a
					// second press is at worst a no-op or a conflict, which the counts below
					// allow for, so no lost update can hide behind it.
					mu.Lock()
					resent[names[i]]++
					mu.Unlock()
					t.Logf("%s: no answer to %s in 20 s, pressed again:\n%s", names[i], tagKey[next], tm.screen())
					tm.stdin.Write([]byte(tagKey[next]))
					ok = ackWait(tm, answered, 40*time.Second)
				}
				if !ok {
					t.Errorf("%s: no answer to %s:\n%s", names[i], tagKey[next], tm.screen())
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
					tm.stdin.Write([]byte("n")) // cancel: the screen reloads to what is there now
					ackWait(tm, func(s string) bool { return !strings.Contains(s, "刚被改过") }, 30*time.Second)
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
	events, _ := s.st.Audit(store.System, 100000)
	total := 0
	for _, c0 := range targets {
		c, _ := s.st.Concern(store.System, c0.ID)
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
	// A key pressed twice (no answer to the first) may, if the first was only late, make two
	// moves for one acknowledgement.
	noops, twice := 0, 0
	for _, n := range names {
		if moves[n] > acked[n]+resent[n] {
			t.Fatalf("%s: %d changes in the history, only %d acknowledged on screen", n, moves[n], acked[n])
		}
		noops += max(acked[n]-moves[n], 0)
		twice += resent[n]
	}
	t.Logf("%d sessions, %d key presses on 2 concerns: %d changes made and acknowledged (%d more acknowledged that were already so), %d conflicts reported on screen and cancelled, none lost; %d keys pressed twice for want of an answer",
		sessions, sessions*rounds, total, noops, conflicts, twice)
}
