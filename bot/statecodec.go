package bot

// This file holds the state's compact encoding: what is saved after every message,
// and decoded before the next, so it is written by hand rather than by reflection.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// The compact encoding is a header (stateMagic, stateFormat, the state's version),
// a presence mask (one bit per field, fixed 8 bytes, little-endian), then the
// present fields' values in the order of encodeFields, every number a varint and
// every string its length then its bytes. A flag is its bit alone. The flows'
// drafts (Dom, Draft, Acts, Enrol, Voucher) are kept as JSON inside it: they
// belong to their flows, change with them, and live only while their flow does.
//
// stateMagic never starts JSON (a state saved before this encoding, which starts
// with '{') nor a sealed state (vault's 0xA7).
const (
	stateMagic  = 0xF5
	stateFormat = 1
	maskSize    = 8
)

// errStateEncoding marks a state the compact encoding cannot hold.
var errStateEncoding = errors.New("state encoding")

// The range of times the encoding holds, as JSON does: years 1 to 9999, offsets
// below a day.
const (
	minUnix   = -62135596800 // 0001-01-01T00:00:00Z
	maxUnix   = 253402300799 // 9999-12-31T23:59:59Z
	maxOffset = 24 * 60 * 60
)

// encodeBuffers are scratch buffers for encoding: a state is encoded into one, and
// the buffer is reused once the state is saved (Commit keeps no reference to it).
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledEncoding bounds the buffers kept for reuse: a rare huge state does not
// pin its buffer for good.
const maxPooledEncoding = 64 << 10

// encodeBuffer returns a scratch buffer for appendEncoding; give it back with
// putEncodeBuffer once nothing reads what was encoded into it.
func encodeBuffer() *[]byte { return encodeBuffers.Get().(*[]byte) }

// putEncodeBuffer gives back a buffer of encodeBuffer, data being what was last
// encoded into it (so that a buffer grown by a large state is kept grown).
func putEncodeBuffer(buf *[]byte, data []byte) {
	if cap(data) > cap(*buf) {
		*buf = data[:0]
	}
	if cap(*buf) <= maxPooledEncoding {
		encodeBuffers.Put(buf)
	}
}

// encodeCompact returns st in the compact encoding, in memory of its own.
func (st *state) encodeCompact() ([]byte, error) {
	buf := encodeBuffer()
	data, err := st.appendCompact((*buf)[:0])
	putEncodeBuffer(buf, data)
	if err != nil {
		return nil, err
	}
	return slices.Clone(data), nil
}

// appendCompact appends st in the compact encoding to b.
func (st *state) appendCompact(b []byte) ([]byte, error) {
	w := stateWriter{b: append(b, stateMagic, stateFormat)}
	w.b = binary.AppendUvarint(w.b, uint64(st.V))
	start := len(w.b)
	w.b = append(w.b, make([]byte, maskSize)...)
	st.encodeFields(&w)
	binary.LittleEndian.PutUint64(w.b[start:], w.mask)
	return w.b, w.err
}

// isCompactState reports whether b is in the compact encoding.
func isCompactState(b []byte) bool { return len(b) >= 2 && b[0] == stateMagic }

// decodeCompact decodes a state in the compact encoding; ok is false for anything
// else: another format or version, unknown fields, damage. The state's strings are
// b's bytes, not copies of them: b must never change afterwards.
func decodeCompact(b []byte) (st state, ok bool) {
	if len(b) < 2 || b[0] != stateMagic || b[1] != stateFormat {
		return state{}, false
	}
	r := stateReader{s: unsafe.String(unsafe.SliceData(b[2:]), len(b)-2)}
	st.V = int(r.uvarint())
	if r.bad || st.V != stateVersion || len(r.s) < maskSize {
		return state{}, false
	}
	r.mask = binary.LittleEndian.Uint64([]byte(r.s[:maskSize]))
	r.s = r.s[maskSize:]
	st.decodeFields(&r)
	if r.bad || len(r.s) != 0 || r.mask>>r.bit != 0 {
		return state{}, false
	}
	return st, true
}

// encodeFields writes the fields; decodeFields must read them in the same order.
// A field is only ever added at the end, so that states saved before it still
// read (without it).
func (st *state) encodeFields(w *stateWriter) {
	w.str(st.Lang)
	w.flag(st.LangSet)
	w.flag(st.Spoke)
	w.strs(st.LangKept)
	if w.has(st.LangOffer != nil) {
		w.putStr(st.LangOffer.Lang)
		w.putStr(st.LangOffer.Text)
	}
	w.str(st.Flow)
	w.flag(st.LocationAsked)
	w.str(st.ForgetAsk)
	w.str(st.Query)
	w.str(st.Said)
	if f := st.Filters; w.has(f != searchFilters{}) {
		w.putFlags(f.Free, f.Cheapest, f.OpenNow)
		w.putInt(f.Municipio)
		w.putStr(f.Audience)
		w.putStr(f.Place)
		w.putStr(f.Delivery)
	}
	w.strs(st.Results)
	w.int(st.Gen)
	w.int(st.Total)
	w.int(st.Page)
	w.str(st.Category)
	if w.has(len(st.Offered) > 0) {
		w.putUvarint(uint64(len(st.Offered)))
		for _, o := range st.Offered {
			w.putStr(o.Label)
			w.putStr(o.Data)
		}
	}
	w.str(st.Focus)
	w.int(st.Misses)
	if h := st.Handoff; w.has(h != nil) {
		w.putStr(h.ID)
		w.putStr(h.Reason)
		w.putFlags(h.Priority)
		w.putTime(h.Opened)
		w.putStr(h.Operator)
	}
	writeJSON(w, st.Dom)
	writeJSON(w, st.Draft)
	writeJSON(w, st.Acts)
	writeJSON(w, st.Enrol)
	writeJSON(w, st.Voucher)
	w.strs(st.Handoffs)
	w.str(st.RateHandoff)
	if w.has(len(st.Recent) > 0) {
		w.putUvarint(uint64(len(st.Recent)))
		for _, t := range st.Recent {
			w.putStr(t.From)
			w.putStr(t.Text)
			w.putTime(t.At)
		}
	}
	w.time(st.SlowedAt)
	if w.has(len(st.Consents) > 0) {
		w.putUvarint(uint64(len(st.Consents)))
		keys := make([]string, 0, len(st.Consents))
		for k := range st.Consents {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the same state, the same bytes
		for _, k := range keys {
			w.putStr(k)
			w.putTime(st.Consents[k])
		}
	}
	w.flag(st.GreetedOnly)
	w.time(st.Created)
	w.time(st.Updated)
}

// decodeFields reads what encodeFields writes.
func (st *state) decodeFields(r *stateReader) {
	st.Lang = r.str()
	st.LangSet = r.flag()
	st.Spoke = r.flag()
	st.LangKept = r.strs()
	if r.has() {
		st.LangOffer = &langOffer{Lang: r.getStr(), Text: r.getStr()}
	}
	st.Flow = r.str()
	st.LocationAsked = r.flag()
	st.ForgetAsk = r.str()
	st.Query = r.str()
	st.Said = r.str()
	if r.has() {
		f := &st.Filters
		r.getFlags(&f.Free, &f.Cheapest, &f.OpenNow)
		f.Municipio = r.getInt()
		f.Audience, f.Place, f.Delivery = r.getStr(), r.getStr(), r.getStr()
	}
	st.Results = r.strs()
	st.Gen = r.int()
	st.Total = r.int()
	st.Page = r.int()
	st.Category = r.str()
	if r.has() {
		st.Offered = make([]offer, r.count(2))
		for i := range st.Offered {
			st.Offered[i] = offer{Label: r.getStr(), Data: r.getStr()}
		}
	}
	st.Focus = r.str()
	st.Misses = r.int()
	if r.has() {
		h := &handoffState{ID: r.getStr(), Reason: r.getStr()}
		r.getFlags(&h.Priority)
		h.Opened, h.Operator = r.getTime(), r.getStr()
		st.Handoff = h
	}
	st.Dom = readJSON[domDraft](r)
	st.Draft = readJSON[bookingDraft](r)
	st.Acts = readJSON[activityQuery](r)
	st.Enrol = readJSON[enrolDraft](r)
	st.Voucher = readJSON[voucherDraft](r)
	st.Handoffs = r.strs()
	st.RateHandoff = r.str()
	if r.has() {
		st.Recent = make([]turn, r.count(3))
		for i := range st.Recent {
			st.Recent[i] = turn{From: r.getStr(), Text: r.getStr(), At: r.getTime()}
		}
	}
	st.SlowedAt = r.time()
	if r.has() {
		n := r.count(2)
		st.Consents = make(map[string]time.Time, n)
		for range n {
			k := r.getStr()
			st.Consents[k] = r.getTime()
		}
	}
	st.GreetedOnly = r.flag()
	st.Created = r.time()
	st.Updated = r.time()
}

// stateWriter appends fields: those named after a type (str, int...) set the
// field's bit in the mask when the value is not zero, and write it then; the put
// methods write a value whatever it is, inside a field.
type stateWriter struct {
	b    []byte
	mask uint64
	bit  uint
	err  error
}

// has takes the next bit of the mask, set when present, and returns present.
func (w *stateWriter) has(present bool) bool {
	if w.bit >= 64 {
		panic("bot: the state has more than 64 fields") // caught by every test
	}
	if present {
		w.mask |= 1 << w.bit
	}
	w.bit++
	return present
}

func (w *stateWriter) flag(v bool) { w.has(v) }

func (w *stateWriter) str(s string) {
	if w.has(s != "") {
		w.putStr(s)
	}
}

func (w *stateWriter) int(n int) {
	if w.has(n != 0) {
		w.putInt(n)
	}
}

func (w *stateWriter) strs(ss []string) {
	if w.has(len(ss) > 0) {
		w.putUvarint(uint64(len(ss)))
		for _, s := range ss {
			w.putStr(s)
		}
	}
}

func (w *stateWriter) time(t time.Time) {
	if w.has(!t.IsZero()) {
		w.putTime(t)
	}
}

// writeJSON writes v, when not nil, as JSON.
func writeJSON[T any](w *stateWriter, v *T) {
	if !w.has(v != nil) {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		w.err = errors.Join(w.err, err)
	}
	w.putUvarint(uint64(len(data)))
	w.b = append(w.b, data...)
}

func (w *stateWriter) putUvarint(n uint64) { w.b = binary.AppendUvarint(w.b, n) }

func (w *stateWriter) putInt(n int) { w.b = binary.AppendVarint(w.b, int64(n)) }

func (w *stateWriter) putStr(s string) {
	w.putUvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

// putFlags writes up to eight flags as one byte.
func (w *stateWriter) putFlags(flags ...bool) {
	var b byte
	for i, f := range flags {
		if f {
			b |= 1 << i
		}
	}
	w.b = append(w.b, b)
}

// putTime writes a time as JSON keeps it: the instant, to the nanosecond, and the
// offset from UTC (not the location's name). The zero time is one byte.
func (w *stateWriter) putTime(t time.Time) {
	if t.IsZero() {
		w.putUvarint(0)
		return
	}
	_, offset := t.Zone()
	sec := t.Unix()
	if sec < minUnix || sec > maxUnix || offset <= -maxOffset || offset >= maxOffset {
		w.err = errors.Join(w.err, fmt.Errorf("%w: time %v out of range", errStateEncoding, t))
	}
	w.putUvarint(uint64(t.Nanosecond())<<1 | 1)
	w.b = binary.AppendVarint(w.b, sec)
	w.b = binary.AppendVarint(w.b, int64(offset))
}
