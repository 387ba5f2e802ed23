package e2e

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time this test process (the server included) has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitIdle waits until this process has used less than a fifth of a core over half a second,
// at most limit: the sessions a test drove hard have worked through what they were sent.
// Other processes on the machine do not count, so a busy machine does not keep it waiting.
func waitIdle(t *testing.T, limit time.Duration) {
	t.Helper()
	const window = 500 * time.Millisecond
	deadline := time.Now().Add(limit)
	last := cpuTime()
	for time.Now().Before(deadline) {
		time.Sleep(window)
		now := cpuTime()
		if now-last < window/5 {
			return
		}
		last = now
	}
	t.Logf("still busy after %v; going on", limit)
}
