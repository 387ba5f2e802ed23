package sshserver

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/store"
)

// lockedBuffer is a log the server's goroutines write to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) count(s string) int { return strings.Count(l.String(), s) }

// TestWarmsAgainOnANewDay: the panes' shared models are built as the server starts, and again
// (with no session asking) when the store's day changes, so the first officer of the morning
// does not wait for them; not again while the day stays the same.
func TestWarmsAgainOnANewDay(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local).UnixNano())
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.Seed(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	srv, err := New(Config{Store: st, Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "host_ed25519"),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), DayCheck: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	const warmed = "panes' read models warmed"
	waitCount := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); logs.count(warmed) < n; {
			if time.Now().After(deadline) {
				t.Fatalf("the models were warmed %d times, want %d; log:\n%s", logs.count(warmed), n, logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitCount(1)
	time.Sleep(100 * time.Millisecond) // twenty looks at the same day
	if n := logs.count(warmed); n != 1 {
		t.Fatalf("warmed %d times on one day", n)
	}
	now.Add(int64(24 * time.Hour))
	waitCount(2)
	if !strings.Contains(logs.String(), "day=2026-11-27") {
		t.Fatal("the log does not name the new day")
	}
}
