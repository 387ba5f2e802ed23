package store

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// Disk full. Badger writes its log through memory-mapped, pre-sized files; on a full disk a
// write through such a mapping does not fail, it kills the process (SIGBUS). So the store
// refuses a write while the data directory's file system has less than MinFree bytes left,
// with ErrDiskFull, before Badger is asked: the write is not made, nothing is half-written,
// and the session carries on and can try again once space is freed.

// ErrDiskFull is returned by a write when the server's disk is (nearly) full.
var ErrDiskFull = errors.New("the server's disk is full: the change was not saved; tell the administrator")

// DefaultMinFree is the space a write needs left on disk: room for a memtable flush (16 MB),
// a value-log file being filled and a compaction's output.
const DefaultMinFree = 96 << 20

// spaceGuard answers "is there room to write?", asking the file system at most every
// spaceCheckEvery so that a busy meeting does not make a statfs call per keypress.
type spaceGuard struct {
	dir     string
	minFree uint64
	free    func(dir string) (uint64, error)

	mu      sync.Mutex
	checked time.Time
	full    bool
	avail   uint64
}

const spaceCheckEvery = time.Second

func newSpaceGuard(dir string, minFree uint64, free func(string) (uint64, error)) *spaceGuard {
	if free == nil {
		free = statfsFree
	}
	return &spaceGuard{dir: dir, minFree: minFree, free: free}
}

// check returns ErrDiskFull when the disk has less than minFree left.
func (g *spaceGuard) check() error {
	if g == nil || g.minFree == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.checked) >= spaceCheckEvery || g.full {
		avail, err := g.free(g.dir)
		if err != nil {
			// Not knowing is no reason to refuse a write.
			return nil
		}
		g.avail, g.full, g.checked = avail, avail < g.minFree, time.Now()
	}
	if g.full {
		return fmt.Errorf("%w (%d MB free, %d MB needed)", ErrDiskFull, g.avail>>20, g.minFree>>20)
	}
	return nil
}

// room returns ErrDiskFull unless n more bytes on disk leave minFree, asking the file system
// now: a start snapshot of a county is 100 MB, which must not take the room the store's own
// writes keep.
func (g *spaceGuard) room(n uint64) error {
	if g == nil || g.minFree == 0 {
		return nil
	}
	avail, err := g.free(g.dir)
	if err != nil {
		return nil
	}
	if avail < n || avail-n < g.minFree {
		return fmt.Errorf("%w (%d MB free, %d MB for the file, %d MB kept for the store)", ErrDiskFull, avail>>20, n>>20, g.minFree>>20)
	}
	return nil
}

// statfsFree returns the bytes available to an unprivileged user on dir's file system.
func statfsFree(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// isNoSpace reports a write that failed for lack of space or of file size.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT)
}

// spaceFor builds the store's space guard from its options.
func spaceFor(dir string, o Options) *spaceGuard {
	if o.MinFree < 0 || o.ReadOnly {
		return nil
	}
	minFree := uint64(o.MinFree)
	if minFree == 0 {
		minFree = DefaultMinFree
	}
	return newSpaceGuard(dir, minFree, o.FreeSpace)
}
