package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestParts: the parts come back in order, however the cores took them, and the first error
// is returned with the parts not started by then left unmade.
func TestParts(t *testing.T) {
	got, err := Parts(500, func(i int) (int, error) { return i * i, nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("part %d is %d", i, v)
		}
	}
	var made atomic.Int64
	_, err = Parts(500, func(i int) (int, error) {
		made.Add(1)
		time.Sleep(time.Millisecond)
		if i == 3 {
			return 0, fmt.Errorf("part %d failed", i)
		}
		return i, nil
	})
	if err == nil || err.Error() != "part 3 failed" || made.Load() > 250 {
		t.Fatalf("error %v after %d parts made", err, made.Load())
	}
}

// TestAside: Aside returns while f is still running (it runs on another goroutine), and
// waiting gives f's answer, as often as asked.
func TestAside(t *testing.T) {
	release := make(chan struct{})
	wait := Aside(func() (int, error) { <-release; return 7, errors.New("late") })
	close(release) // had f run on this goroutine, Aside would never have returned
	for range 2 {
		if v, err := wait(); v != 7 || err == nil || err.Error() != "late" {
			t.Fatalf("wait() = %d, %v; want 7, late", v, err)
		}
	}
}
