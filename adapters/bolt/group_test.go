package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/outbox"
)

// gatedUpdate is a DB's Update that waits, before each transaction, for the test to
// open the gate, and commits or fails as fail says: with it a test knows which
// Commits share a transaction.
type gatedUpdate struct {
	db      *bbolt.DB
	entered chan struct{} // receives when a transaction waits at the gate
	gate    chan struct{}

	mu           sync.Mutex
	fail         error // returned instead of committing, the transaction rolled back
	transactions int
}

func (u *gatedUpdate) update(fn func(*bbolt.Tx) error) error {
	u.entered <- struct{}{}
	<-u.gate
	u.mu.Lock()
	u.transactions++
	fail := u.fail
	u.mu.Unlock()
	if fail == nil {
		return u.db.Update(fn)
	}
	tx, err := u.db.Begin(true)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	_ = tx.Rollback() // as bbolt does when the fsync fails
	return fail
}

// pass lets the transaction waiting at the gate run, failing with fail, and waits
// until the next one waits there.
func (u *gatedUpdate) pass(fail error) {
	u.mu.Lock()
	u.fail = fail
	u.mu.Unlock()
	u.gate <- struct{}{}
	<-u.entered
}

func (u *gatedUpdate) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.transactions
}

// gated opens a store whose Commits go through a gatedUpdate.
func gated(t *testing.T, path string, clock *clocktest.Clock) (*Store, *gatedUpdate) {
	t.Helper()
	store, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	store.group.close()
	u := &gatedUpdate{db: store.db, entered: make(chan struct{}, 100), gate: make(chan struct{})}
	store.group = newGroupCommitter(u.update)
	t.Cleanup(func() {
		close(u.gate)
		_ = store.Close()
	})
	return store, u
}

// waitPending waits until n Commits wait in the store's next group.
func waitPending(t *testing.T, store *Store, n int) {
	t.Helper()
	for {
		store.group.mu.Lock()
		got := 0
		if store.group.pending != nil {
			got = len(store.group.pending.writes)
		}
		store.group.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func testBegin(conversation, update string) bot.Begin {
	return bot.Begin{Conversation: conversation, UpdateID: update, LockTTL: time.Minute, RateWindow: time.Minute}
}

func testCommit(state string) bot.Commit {
	return bot.Commit{State: []byte(state), IdleTTL: time.Hour, DedupeTTL: time.Hour}
}

// gather begins a session in each conversation and commits them all at once, in one
// group: a first Commit (of the conversation "plug") holds the writer at the gate
// while they gather. It returns once the group's transaction waits at the gate, with
// the sessions and a function that waits for the Commits and returns their errors.
func gather(t *testing.T, store *Store, u *gatedUpdate, convs []string, state string) ([]bot.Session, func() []error) {
	t.Helper()
	ctx := context.Background()
	sessions := make([]bot.Session, len(convs))
	for i, conv := range append(convs[:len(convs):len(convs)], "plug") {
		s, err := store.Begin(ctx, testBegin(conv, "u-"+state))
		if err != nil {
			t.Fatal(err)
		}
		if i == len(convs) {
			go func() { _ = store.Commit(ctx, s, testCommit(state)) }()
			break
		}
		sessions[i] = s
	}
	<-u.entered
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Go(func() { errs[i] = store.Commit(ctx, s, testCommit(state)) })
	}
	waitPending(t, store, len(sessions))
	u.pass(nil) // the plug's transaction
	return sessions, func() []error { wg.Wait(); return errs }
}

// wantNoErrors fails the test on any error of errs.
func wantNoErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Commit %d: %v", i, err)
		}
	}
}

func conversations(n int) []string {
	convs := make([]string, n)
	for i := range convs {
		convs[i] = fmt.Sprintf("web:%d", i)
	}
	return convs
}

// wantStates checks the state each conversation's next Begin reads, and releases it.
func wantStates(t *testing.T, store *Store, convs []string, update, want string) {
	t.Helper()
	for _, conv := range convs {
		s, err := store.Begin(context.Background(), testBegin(conv, update))
		if err != nil {
			t.Fatalf("Begin(%s): %v", conv, err)
		}
		if string(s.State) != want || s.State == nil {
			t.Fatalf("%s: state %q, want %q", conv, s.State, want)
		}
		_ = store.Release(context.Background(), s)
	}
}

func TestGroupSharesOneTransaction(t *testing.T) {
	store, u := gated(t, filepath.Join(t.TempDir(), "wemi.db"), clocktest.New(deskStart))
	convs := conversations(50)
	_, wait := gather(t, store, u, convs, "a")
	u.gate <- struct{}{}
	wantNoErrors(t, wait())
	if n := u.count(); n != 2 {
		t.Fatalf("%d transactions for the plug and a group, want 2", n)
	}
	wantStates(t, store, convs, "probe", "a")
}

func TestGroupFailureFailsEveryCommit(t *testing.T) {
	store, u := gated(t, filepath.Join(t.TempDir(), "wemi.db"), clocktest.New(deskStart))
	convs := conversations(20)
	_, wait := gather(t, store, u, convs, "a")
	u.gate <- struct{}{}
	wantNoErrors(t, wait())
	errFsync := errors.New("fsync: input/output error")
	sessions, wait := gather(t, store, u, convs, "b")
	u.mu.Lock()
	u.fail = errFsync
	u.mu.Unlock()
	u.gate <- struct{}{}
	for i, err := range wait() {
		if !errors.Is(err, errFsync) {
			t.Fatalf("Commit %d in a failed transaction: %v, want the fsync's error", i, err)
		}
	}
	// Nothing was saved, and the sessions still hold their locks: they may try again.
	wantStates(t, store, []string{"plug"}, "probe", "b")
	if _, err := store.Begin(context.Background(), testBegin(convs[0], "probe")); !errors.Is(err, bot.ErrLocked) {
		t.Fatalf("Begin after a failed Commit: %v, want ErrLocked", err)
	}
	u.mu.Lock()
	u.fail = nil
	u.mu.Unlock()
	go func() { u.gate <- struct{}{} }()
	if err := store.Commit(context.Background(), sessions[0], testCommit("b")); err != nil {
		t.Fatalf("Commit again: %v", err)
	}
	wantStates(t, store, convs[:1], "probe", "b")
	for _, s := range sessions[1:] {
		_ = store.Release(context.Background(), s)
	}
	wantStates(t, store, convs[1:], "probe", "a")
}

func TestGroupSetsAsideAFailingCommit(t *testing.T) {
	store, u := gated(t, filepath.Join(t.TempDir(), "wemi.db"), clocktest.New(deskStart))
	huge := strings.Repeat("x", bbolt.MaxKeySize+1) // bbolt refuses the key
	convs := append(conversations(10), huge)
	_, wait := gather(t, store, u, convs, "a")
	u.pass(nil)          // the transaction with the huge key, rolled back
	u.gate <- struct{}{} // the others, again
	errs := wait()
	wantNoErrors(t, errs[:len(errs)-1])
	if !errors.Is(errs[len(errs)-1], bolterrors.ErrKeyTooLarge) {
		t.Fatalf("Commit with a huge key: %v, want ErrKeyTooLarge", errs[len(errs)-1])
	}
	wantStates(t, store, convs[:len(convs)-1], "probe", "a")
}

func TestGroupLostLockFailsAlone(t *testing.T) {
	store, u := gated(t, filepath.Join(t.TempDir(), "wemi.db"), clocktest.New(deskStart))
	convs := append(conversations(5), "web:lost")
	_, wait := gather(t, store, u, convs, "a")
	// The group waits at the gate: Forget comes before its transaction.
	if err := store.Forget(context.Background(), "web:lost"); err != nil {
		t.Fatal(err)
	}
	u.gate <- struct{}{}
	errs := wait()
	wantNoErrors(t, errs[:len(errs)-1])
	if !errors.Is(errs[len(errs)-1], bot.ErrLockLost) {
		t.Fatalf("Commit after Forget: %v, want ErrLockLost", errs[len(errs)-1])
	}
	if n := u.count(); n != 2 {
		t.Fatalf("%d transactions, want the plug's and the group's", n)
	}
	wantStates(t, store, convs[:len(convs)-1], "probe", "a")
	s, err := store.Begin(context.Background(), testBegin("web:lost", "probe"))
	if err != nil || s.State != nil {
		t.Fatalf("forgotten conversation: %+v, %v; want no state", s, err)
	}
}

func TestCloseWaitsForPendingCommits(t *testing.T) {
	clock := clocktest.New(deskStart)
	path := filepath.Join(t.TempDir(), "wemi.db")
	store, u := gated(t, path, clock)
	convs := conversations(30)
	_, wait := gather(t, store, u, convs, "a")
	closed := make(chan error)
	go func() { closed <- store.Close() }()
	for {
		store.group.mu.Lock()
		shut := store.group.closed
		store.group.mu.Unlock()
		if shut {
			break
		}
		time.Sleep(time.Millisecond)
	}
	late := bot.Session{Conversation: "web:late", Token: "t"}
	if err := store.Commit(context.Background(), late, testCommit("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v, want ErrClosed", err)
	}
	u.gate <- struct{}{}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	wantNoErrors(t, wait())
	reopened, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	wantStates(t, reopened, convs, "probe", "a")
}

// TestConcurrentCommitsLand has many conversations commit at once, through the real
// writer, and checks every state and handled marker.
func TestConcurrentCommitsLand(t *testing.T) {
	store, err := Open(filepath.Join(t.TempDir(), "wemi.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	convs := conversations(64)
	const rounds = 10
	var wg sync.WaitGroup
	for _, conv := range convs {
		wg.Go(func() {
			for i := range rounds {
				s, err := store.Begin(ctx, testBegin(conv, fmt.Sprint(i)))
				if err == nil && (s.Count != i+1 || s.Duplicate) {
					err = fmt.Errorf("session %+v, want count %d", s, i+1)
				}
				if err == nil {
					err = store.Commit(ctx, s, testCommit(fmt.Sprint(i)))
				}
				if err != nil {
					t.Errorf("%s round %d: %v", conv, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	wantStates(t, store, convs, "probe", fmt.Sprint(rounds-1))
	for _, conv := range convs {
		if s, err := store.Begin(ctx, testBegin(conv, "3")); err != nil || !s.Duplicate {
			t.Fatalf("%s: update 3 after its commit: %+v, %v; want a duplicate", conv, s, err)
		}
	}
}

// TestGroupOutboxWrites checks that the outbox's writes share groups too, and that
// one refused (a lease lost) is set aside while the others of its group land.
func TestGroupOutboxWrites(t *testing.T) {
	store, u := gated(t, filepath.Join(t.TempDir(), "wemi.db"), clocktest.New(deskStart))
	ctx := context.Background()
	ob := store.Outbox()
	_, wait := gather(t, store, u, conversations(3), "a")
	put, done := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := ob.Put(ctx, deskStart, outbox.Item{Key: "u1:0", Lane: "telegram:1", Payload: []byte("hi")})
		put <- err
	}()
	go func() {
		forged := outbox.Claimed{Item: outbox.Item{Key: "u9:0", Lane: "telegram:2"}, Token: "forged"}
		done <- ob.Done(ctx, deskStart, forged)
	}()
	waitPending(t, store, 2)
	u.pass(nil)          // the Commits' group
	u.pass(nil)          // the outbox's group, rolled back for the lost lease
	u.gate <- struct{}{} // the Put again, alone
	wantNoErrors(t, wait())
	if err := <-put; err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := <-done; !errors.Is(err, outbox.ErrLeaseLost) {
		t.Fatalf("Done with a forged lease: %v, want ErrLeaseLost", err)
	}
	if n := u.count(); n != 4 {
		t.Fatalf("%d transactions, want 4: the plug, the Commits, the outbox twice", n)
	}
	go func() { u.gate <- struct{}{} }()
	claimed, err := ob.Claim(ctx, deskStart, time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].Key != "u1:0" {
		t.Fatalf("Claim: %+v, %v; want the item put", claimed, err)
	}
}
