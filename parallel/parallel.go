// Package parallel spreads independent pieces of work over the machine's cores.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Parts makes n parts with part, on every core, and returns them in order, or the first error
// (the parts not started by then are not made). A county's reads and read models are made of
// its 230 villages' parts (households, the checklist, the overview): one at a time, they kept
// one core busy for seconds after a start while the other waited.
func Parts[T any](n int, part func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && !failed.Load(); i = int(next.Add(1) - 1) {
				p, err := part(i)
				if err != nil {
					failed.Store(true)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				out[i] = p
			}
		})
	}
	wg.Wait()
	return out, first
}

// Aside starts f on another goroutine and returns what waits for its answer: a read model's
// independent reads go side by side (a county's members and cadres are read while its
// places are). The answer is kept, so waiting twice gives it twice; a caller that returns
// early without waiting leaves f to finish alone.
func Aside[T any](f func() (T, error)) func() (T, error) {
	var (
		v    T
		err  error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		v, err = f()
	}()
	return func() (T, error) {
		<-done
		return v, err
	}
}
