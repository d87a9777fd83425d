package bot

import (
	"encoding/binary"
	"encoding/json"
	"time"
)

// stateReader reads what a stateWriter wrote. Damage of any kind (a length past the
// end, a varint too long, a value out of range) sets bad, and every read after it
// returns zero values: a damaged state is never half read, and never panics.
type stateReader struct {
	s    string
	mask uint64
	bit  uint
	bad  bool
}

// has takes the next bit of the mask and reports whether it is set.
func (r *stateReader) has() bool {
	if r.bad || r.bit >= 64 {
		r.bad = true
		return false
	}
	set := r.mask&(1<<r.bit) != 0
	r.bit++
	return set
}

func (r *stateReader) flag() bool { return r.has() }

func (r *stateReader) str() string {
	if !r.has() {
		return ""
	}
	return r.getStr()
}

func (r *stateReader) int() int {
	if !r.has() {
		return 0
	}
	return r.getInt()
}

func (r *stateReader) strs() []string {
	if !r.has() {
		return nil
	}
	ss := make([]string, r.count(1))
	for i := range ss {
		ss[i] = r.getStr()
	}
	return ss
}

func (r *stateReader) time() time.Time {
	if !r.has() {
		return time.Time{}
	}
	return r.getTime()
}

// readJSON reads a field written by writeJSON.
func readJSON[T any](r *stateReader) *T {
	if !r.has() {
		return nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(r.getStr()), v); err != nil {
		r.bad = true
	}
	return v
}

func (r *stateReader) uvarint() uint64 {
	if r.bad {
		return 0
	}
	n, size := 0, 0
	var v uint64
	for ; size < len(r.s) && size < binary.MaxVarintLen64; size++ {
		b := r.s[size]
		if b < 0x80 {
			if size == binary.MaxVarintLen64-1 && b > 1 {
				break // overflows 64 bits
			}
			r.s = r.s[size+1:]
			return v | uint64(b)<<n
		}
		v |= uint64(b&0x7f) << n
		n += 7
	}
	r.bad = true
	return 0
}

func (r *stateReader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *stateReader) getInt() int {
	v := r.varint()
	if int64(int(v)) != v {
		r.bad = true
		return 0
	}
	return int(v)
}

// count reads the length of a list whose items take at least minSize bytes each:
// a length the rest of the state cannot hold is damage, not an allocation.
func (r *stateReader) count(minSize int) int {
	n := r.uvarint()
	if n > uint64(len(r.s)/minSize) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *stateReader) getStr() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// getFlags reads a byte of flags written by putFlags.
func (r *stateReader) getFlags(flags ...*bool) {
	if r.bad || len(r.s) == 0 || r.s[0]>>len(flags) != 0 {
		r.bad = true
		return
	}
	for i, f := range flags {
		*f = r.s[0]&(1<<i) != 0
	}
	r.s = r.s[1:]
}

// getTime reads a time written by putTime, in the location JSON would give it:
// UTC for a zero offset, Local when the offset is Local's at that instant, else a
// fixed zone.
func (r *stateReader) getTime() time.Time {
	head := r.uvarint()
	if head == 0 {
		return time.Time{}
	}
	nsec, sec, offset := head>>1, r.varint(), r.varint()
	if r.bad || head&1 == 0 || nsec >= 1e9 || sec < minUnix || sec > maxUnix || offset <= -maxOffset || offset >= maxOffset {
		r.bad = true
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	switch _, local := t.Zone(); {
	case offset == 0:
		return t.UTC()
	case int64(local) == offset:
		return t
	}
	return t.In(time.FixedZone("", int(offset)))
}
