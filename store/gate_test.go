package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestCloseWaitsForReadsInFlight: Close waits for a read transaction that began before it, so
// the read can still create iterators (Badger panics "DB Closed" on one created after its
// Close), and every call made after Close returns ErrClosed instead of reaching Badger.
func TestCloseWaitsForReadsInFlight(t *testing.T) {
	s := openTest(t)
	inView, release := make(chan struct{}), make(chan struct{})
	rows := make(chan int, 1)
	go func() {
		n := 0
		err := s.db.View(t.Context(), func(txn KVTxn) error {
			close(inView)
			<-release
			it := txn.NewIterator(IteratorOptions{Prefix: []byte("household/")})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				n++
			}
			return nil
		})
		if err != nil {
			t.Errorf("the read in flight: %v", err)
		}
		rows <- n
	}()
	<-inView
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a read was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	// Calls made while Close waits are refused, not queued behind it.
	if _, err := s.Concerns(t.Context(), System()); !errors.Is(err, ErrClosed) {
		t.Fatalf("a read while closing: %v, want ErrClosed", err)
	}
	close(release)
	if n := <-rows; n != 4 {
		t.Fatalf("the read in flight saw %d households, want 4", n)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Households(t.Context(), System()); !errors.Is(err, ErrClosed) {
		t.Fatalf("a scan after Close: %v, want ErrClosed", err)
	}
	if _, err := s.SetTag(t.Context(), System(), "DL-0001", TagRed); !errors.Is(err, ErrClosed) {
		t.Fatalf("a write after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

// TestCloseUnderLoad: sessions keep loading (scans, point reads, writes) while the store
// closes. Every call either succeeds or returns ErrClosed; none panics or sees another error.
func TestCloseUnderLoad(t *testing.T) {
	s := openTest(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	calls := []func() error{
		func() error { _, err := s.Concerns(t.Context(), System()); return err },
		func() error { _, err := s.Households(t.Context(), System()); return err },
		func() error { _, err := s.Audit(t.Context(), System(), 50); return err },
		func() error { _, err := s.Concern(t.Context(), System(), "XH-0002"); return err },
		func() error { _, err := s.SetTag(t.Context(), System(), "DL-0001", TagRed); return err },
		func() error { _, err := s.SetTag(t.Context(), System(), "DL-0001", TagGreen); return err },
	}
	started := make(chan struct{}, len(calls))
	for _, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				err := call()
				if i == 0 {
					started <- struct{}{}
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil && !errors.Is(err, ErrConflict) {
					errs <- err
					return
				}
			}
		}()
	}
	for range calls {
		<-started
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a call while closing: %v", err)
	}
}

// countdown is a context that is done after it was asked n times: to stop a scan half way.
type countdown struct {
	context.Context
	n, asked int
}

func (c *countdown) Err() error {
	c.asked++
	if c.asked > c.n {
		return context.Canceled
	}
	return nil
}

// TestScanStopsWithItsSession: a long read checks its context a chunk of rows at a time, so a
// county's scan whose session ends stops within a chunk instead of reading on.
func TestScanStopsWithItsSession(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := small()
	for i := range 4 * scanChunk {
		d.Concerns = append(d.Concerns, Concern{ID: ConcernID("DL", uint64(100+i)), Village: "DL", Grid: "DL01", Household: "DL01-0001",
			Description: "路灯坏了", Tag: TagGreen, Tier: TierGrid, Status: StatusNew})
	}
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Concerns(t.Context(), System()); err != nil || len(cs) != len(d.Concerns) {
		t.Fatalf("all of them: %d, %v", len(cs), err)
	}
	// Asked once before the transaction, once at the first row, once a chunk later: done.
	ctx := &countdown{Context: t.Context(), n: 2}
	if _, err := s.Concerns(ctx, System()); !errors.Is(err, context.Canceled) || ctx.asked != 3 {
		t.Fatalf("a scan whose session ended: %v after %d checks", err, ctx.asked)
	}
}
