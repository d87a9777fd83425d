package bolt

import (
	"errors"
	"slices"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/bot"
)

// ErrClosed is returned by a Commit made after Close.
var ErrClosed = errors.New("bolt store closed")

// groupCommitter writes the Commits of many conversations (and the outbox's writes)
// in one read-write transaction, so they share its fsync. One goroutine writes: while
// it waits for a transaction's fsync, the Commits that arrive gather in the next
// group, which it writes as soon as the fsync ends. Nothing waits for a group to fill,
// so a lone Commit costs what it did alone, and the busier the store the bigger the
// groups (at most one Commit per handler waiting).
//
// bbolt's own DB.Batch was the other choice. It writes a batch when MaxBatchDelay
// (10 ms by default) has passed since its first call or when MaxBatchSize calls have
// gathered, so a lone Commit waits the whole delay, and busy groups are cut at a fixed
// size rather than at the end of the fsync. And any error of a function there rolls
// the batch back, so a lost lock, which must fail one Commit and no other, would have
// to leave the function some other way than as its error.
type groupCommitter struct {
	// update runs fn in a read-write transaction and commits it: the DB's Update, or
	// in tests one whose commit fails.
	update func(fn func(*bbolt.Tx) error) error

	mu      sync.Mutex
	pending *commitGroup  // the group gathering Commits; nil when none waits
	closed  bool          // Close was called: no new Commit is taken
	wake    chan struct{} // tells the writer a group waits, or that Close was called
	stopped chan struct{} // closed when the writer has written every group and ended
}

// commitGroup is the Commits written in one transaction.
type commitGroup struct {
	writes []groupWrite
	done   chan struct{} // closed once every write's err is set
}

// groupWrite is one Commit in a group: apply writes it in the group's transaction, err
// is its outcome. An apply that finds its lock lost returns bot.ErrLockLost having
// written nothing, which fails its Commit alone; any other error of apply rolls the
// transaction back, and the group is written again without that Commit.
type groupWrite struct {
	apply func(tx *bbolt.Tx) error
	err   *error
}

// newGroupCommitter starts a writer that commits with update, normally a DB's Update.
func newGroupCommitter(update func(fn func(*bbolt.Tx) error) error) *groupCommitter {
	g := &groupCommitter{update: update, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go g.run()
	return g
}

// commit writes apply in the next group's transaction and returns once that
// transaction is on disk, or failed: then the error is the group's, or apply's own.
func (g *groupCommitter) commit(apply func(tx *bbolt.Tx) error) error {
	var err error
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return ErrClosed
	}
	group := g.pending
	if group == nil {
		group = &commitGroup{done: make(chan struct{})}
		g.pending = group
	}
	group.writes = append(group.writes, groupWrite{apply: apply, err: &err})
	g.mu.Unlock()
	g.signal()
	<-group.done
	return err
}

// signal wakes the writer; a wake-up already pending is enough.
func (g *groupCommitter) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// close stops taking Commits and waits until those taken are written. It reports
// whether this was the first call.
func (g *groupCommitter) close() bool {
	g.mu.Lock()
	first := !g.closed
	g.closed = true
	g.mu.Unlock()
	g.signal()
	<-g.stopped
	return first
}

// run is the writer: it writes the groups one after the other until close.
func (g *groupCommitter) run() {
	defer close(g.stopped)
	for {
		g.mu.Lock()
		group, closed := g.pending, g.closed
		g.pending = nil
		g.mu.Unlock()
		switch {
		case group != nil:
			g.write(group.writes)
			close(group.done)
		case closed:
			return
		default:
			<-g.wake
		}
	}
}

// write writes a group's writes in one transaction. A write whose apply fails with an
// error other than bot.ErrLockLost is set aside with that error, and the others are written
// again without it. An error of the transaction itself (its fsync) fails them all.
func (g *groupCommitter) write(writes []groupWrite) {
	for len(writes) > 0 {
		failed := -1
		err := g.update(func(tx *bbolt.Tx) error {
			for i, w := range writes {
				err := w.apply(tx)
				*w.err = err
				if err != nil && !errors.Is(err, bot.ErrLockLost) {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			if err != nil {
				for _, w := range writes {
					*w.err = err
				}
			}
			return
		}
		*writes[failed].err = err
		writes = slices.Delete(writes, failed, failed+1)
	}
}
