package tui

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/store"
)

// The meeting replay (issue 19, part 4): township sessions on the county that have each
// opened every pane, and a meeting triaging concerns one key at a time. What matters is what
// one change costs the server in all (every session told of it, each applying it), and what
// it does to the keys of everyone else meanwhile.

// envInt reads a benchmark knob from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapInUse is the heap in use after a full collection, in MB.
func heapInUse() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// liveSession is one session as the runtime runs it: its Update and View on one goroutine at a
// time (mu), its commands (the loads) off it, concurrently with everything else.
type liveSession struct {
	mu sync.Mutex
	m  *Model
}

// run runs a command and feeds what it returns back in, as the runtime would: the command
// outside the lock, each Update (and the frame after it) inside.
func (s *liveSession) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		var wg sync.WaitGroup
		for _, c := range msg {
			wg.Go(func() { s.run(c) })
		}
		wg.Wait()
	default:
		s.mu.Lock()
		_, next := s.m.Update(msg)
		_ = s.m.View()
		s.mu.Unlock()
		s.run(next)
	}
}

// key types one key and waits for everything it started; it returns how long that took.
func (s *liveSession) key(k tea.KeyPressMsg) time.Duration {
	start := time.Now()
	s.mu.Lock()
	_, next := s.m.Update(k)
	_ = s.m.View()
	s.mu.Unlock()
	s.run(next)
	return time.Since(start)
}

// percentile is the p-th percentile of ds (sorted in place).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkCountyMeeting replays a meeting against township sessions on the county: each
// session opens every pane (1 to 5), then rests on one of them (the sessions spread evenly
// over the five); a meeting then tags concerns one at a time through the store, and every
// session is told of each change as the server tells it. Odd changes are measured for CPU
// alone (the write, the feed, every session applying it and drawing its frame); during even
// ones a prober types j and k into the other sessions, one every 5 ms, and times each key
// (Update, frame and the loads it starts). SANBAI_MEETING_SESSIONS (50) and
// SANBAI_MEETING_KEYS (100) change the size; run it with -benchtime 1x.
func BenchmarkCountyMeeting(b *testing.B) {
	n := envInt("SANBAI_MEETING_SESSIONS", 50)
	nkeys := envInt("SANBAI_MEETING_KEYS", 100)
	st, l := countyStore(b)
	finder, shared := query.NewFinder(st), NewShared(st)
	// As the server does at start: the township's models of every pane are built before the
	// first session opens them (sessions that come meanwhile wait for the build under way).
	warm := time.Now()
	<-WarmShared(b.Context(), shared, st, l, nil)
	b.ReportMetric(float64(time.Since(warm).Milliseconds()), "ms-warm")
	open := func() *liveSession {
		m := New(Options{Context: b.Context(), Store: st, Ledger: l, Finder: finder, Shared: shared,
			User: store.User{Name: township.Name, Role: store.RoleTownship}, Width: 80, Height: 24})
		s := &liveSession{m: m}
		s.run(m.Init())
		return s
	}
	for i := 0; i < b.N; i++ {
		heap0 := heapInUse()
		idle := open()
		heapIdle := heapInUse() - heap0
		// Each pane's first screen: the key, its load and the frame, per session.
		var opens [paneCount][]time.Duration
		sessions := make([]*liveSession, n)
		heap1 := heapInUse()
		for j := range sessions {
			s := open()
			for p := range paneCount {
				opens[p] = append(opens[p], s.key(keyMsg(strconv.Itoa(int(p)+1))))
			}
			s.key(keyMsg(strconv.Itoa(j%int(paneCount) + 1)))
			sessions[j] = s
		}
		heapAll := heapInUse() - heap1
		runtime.KeepAlive(idle)
		rows, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Limit: nkeys})
		if err != nil || len(rows.Rows) < nkeys {
			b.Fatalf("%d rows to triage: %v", len(rows.Rows), err)
		}
		sub := st.Hub().Subscribe()
		// SANBAI_MEETING_PROFILE writes a CPU profile of the meeting alone (not the set-up).
		if path := os.Getenv("SANBAI_MEETING_PROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
		// SANBAI_MEETING_MEMPROFILE writes heap profiles before (PATH.0) and after the meeting
		// (PATH): `go tool pprof -sample_index=alloc_space -diff_base PATH.0 PATH` shows
		// what the meeting allocated.
		memProfile := os.Getenv("SANBAI_MEETING_MEMPROFILE")
		writeHeap := func(path string) {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			runtime.GC() // a heap profile is as of the last collection
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				b.Fatal(err)
			}
		}
		if memProfile != "" {
			writeHeap(memProfile + ".0")
		}
		// SANBAI_MEETING_PROBE=0 types no probe keys, for a profile of the changes alone.
		probe := os.Getenv("SANBAI_MEETING_PROBE") != "0"
		var cpu []time.Duration
		var keys []time.Duration
		var wall time.Duration
		for k := range nkeys {
			probing := k%2 == 1 && probe
			stop, probed := make(chan struct{}), make(chan []time.Duration)
			if probing {
				go func() {
					var ds []time.Duration
					for j := 1; ; j++ {
						select {
						case <-stop:
							probed <- ds
							return
						case <-time.After(5 * time.Millisecond):
						}
						key := "j"
						if j%2 == 0 {
							key = "k"
						}
						ds = append(ds, sessions[1+j%(n-1)].key(keyMsg(key)))
					}
				}()
			}
			c0, t0 := cpuTime(), time.Now()
			c := rows.Rows[k]
			if _, err := st.Triage(b.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.Tags()[k%3]}); err != nil {
				b.Fatal(err)
			}
			changes := sub.Take()
			var wg sync.WaitGroup
			for _, s := range sessions {
				wg.Go(func() {
					s.mu.Lock()
					_, next := s.m.Update(ChangedMsg{Changes: changes})
					_ = s.m.View()
					s.mu.Unlock()
					s.run(next)
				})
			}
			wg.Wait()
			if probing {
				close(stop)
				keys = append(keys, <-probed...)
			} else {
				cpu = append(cpu, cpuTime()-c0)
				wall += time.Since(t0)
			}
		}
		sub.Close()
		if memProfile != "" {
			writeHeap(memProfile)
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		var sum time.Duration
		for _, d := range cpu {
			sum += d
		}
		b.ReportMetric(ms(sum)/float64(len(cpu)), "ms-cpu/change")
		b.ReportMetric(ms(percentile(cpu, 0.99)), "ms-cpu-p99")
		b.ReportMetric(ms(wall)/float64(len(cpu)), "ms-wall/change")
		b.ReportMetric(ms(percentile(keys, 0.5)), "ms-key-p50")
		b.ReportMetric(ms(percentile(keys, 0.99)), "ms-key-p99")
		b.ReportMetric(float64(len(keys)), "keys")
		b.ReportMetric(heapIdle, "MB-idle")
		b.ReportMetric(heapAll/float64(n), "MB/session")
		for p, ds := range opens {
			first := ds[0]
			b.ReportMetric(ms(first), fmt.Sprintf("ms-open%d-first", p+1))
			b.ReportMetric(ms(percentile(ds[1:], 1)), fmt.Sprintf("ms-open%d-max-later", p+1))
		}
	}
}

// BenchmarkCountyWarm builds the township's shared read models of every pane on the county,
// as a server does at start (WarmShared), from an empty Shared each time, with the ledger
// view already loaded; it reports each model's time alone.
func BenchmarkCountyWarm(b *testing.B) {
	st, l := countyStore(b)
	a := store.Actor{Name: "warm", Role: store.RoleTownship}
	ctx := b.Context()
	steps := []struct {
		name string
		load func(sh *query.Shared) error
	}{
		{"routes", func(sh *query.Shared) error { _, err := sharedRoutesOf(ctx, sh, st, a); return err }},
		{"overview", func(sh *query.Shared) error { _, err := sharedOverviewOf(ctx, sh, st, l, a); return err }},
		{"visits", func(sh *query.Shared) error { _, err := sharedVisitsOf(ctx, sh, st, a); return err }},
		{"revisit", func(sh *query.Shared) error { _, err := sharedRevisitOf(ctx, sh, st, l, a); return err }},
	}
	took := make([]time.Duration, len(steps))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sh := NewShared(st)
		for j, s := range steps {
			start := time.Now()
			if err := s.load(sh); err != nil {
				b.Fatal(err)
			}
			took[j] += time.Since(start)
		}
	}
	for j, s := range steps {
		b.ReportMetric(float64(took[j].Milliseconds())/float64(b.N), "ms-"+s.name)
	}
}

// BenchmarkCountyStart opens the county as a server starts: the ledger view and the
// township's shared read models are built in the background (WarmShared), from a store just
// opened. It reports when pane 1's model (what a login right after the start waits for), the
// ledger view and the warming were done.
func BenchmarkCountyStart(b *testing.B) {
	dir, _, err := countyFix.Dir(countyDay)
	if err != nil {
		b.Fatal(err)
	}
	var routes, ledger, warmed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		st, err := store.Open(dir, store.Options{Now: func() time.Time { return countyDay }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		l := query.NewLedger(st, nil)
		sh := NewShared(st)
		done := WarmShared(b.Context(), sh, st, l, nil)
		// The first session logs in at once: pane 1 is what it waits for.
		if _, err := sharedRoutesOf(b.Context(), sh, st, store.Actor{Name: "u", Role: store.RoleTownship}); err != nil {
			b.Fatal(err)
		}
		routes += time.Since(start)
		if _, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Limit: 1}); err != nil {
			b.Fatal(err)
		}
		ledger += time.Since(start)
		<-done
		warmed += time.Since(start)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(routes.Milliseconds())/float64(b.N), "ms-routes")
	b.ReportMetric(float64(ledger.Milliseconds())/float64(b.N), "ms-ledger")
	b.ReportMetric(float64(warmed.Milliseconds())/float64(b.N), "ms-warmed")
}
