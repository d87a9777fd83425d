package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// fullState returns a state with every field, and every field of what it points
// to, set to a value of its own, none zero: a field the codec forgets fails the
// round trip.
func fullState(t testing.TB) state {
	t.Helper()
	var st state
	n := 0
	fillValue(t, reflect.ValueOf(&st).Elem(), &n)
	st.V = stateVersion
	return st
}

var timeType = reflect.TypeFor[time.Time]()

// fillValue sets v, and whatever it holds, to values numbered from *n.
func fillValue(t testing.TB, v reflect.Value, n *int) {
	t.Helper()
	*n++
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Unix(1_780_000_000+int64(*n)*3600, int64(*n)*1001).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d·é", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			fillValue(t, v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillValue(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillValue(t, k, n)
			fillValue(t, e, n)
			v.SetMapIndex(k, e)
		}
	default:
		t.Fatalf("fillValue: no value for a %s", v.Type())
	}
}

// roundTrip encodes st and decodes it.
func roundTrip(t *testing.T, st state) state {
	t.Helper()
	data, err := st.encode(false)
	if err != nil {
		t.Fatal(err)
	}
	if !isCompactState(data) {
		t.Fatalf("encoded state %q is not compact", data[:2])
	}
	got, ok := decodeState(data)
	if !ok {
		t.Fatalf("encoded state does not decode: %x", data)
	}
	return got
}

func TestStateRoundTrip(t *testing.T) {
	full := fullState(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	withoutDrafts := full
	withoutDrafts.Dom, withoutDrafts.Draft, withoutDrafts.Acts, withoutDrafts.Enrol, withoutDrafts.Voucher = nil, nil, nil, nil, nil
	inRome := full
	inRome.Created = time.Date(2026, 11, 28, 10, 0, 0, 5, rome)
	inRome.Updated = time.Date(2026, 7, 28, 10, 0, 0, 5, time.FixedZone("", -3*3600-30*60))
	tests := []struct {
		name string
		st   state
	}{
		{"full", full},
		{"empty", state{V: stateVersion}},
		{"new", state{V: stateVersion, Lang: "it", Created: full.Created, Updated: full.Updated}},
		{"without drafts", withoutDrafts},
		{"zero values inside", state{V: stateVersion, LangOffer: &langOffer{}, Handoff: &handoffState{},
			Dom: &domDraft{}, Offered: []offer{{}}, Recent: []turn{{}}, Consents: map[string]time.Time{"": {}},
			Filters: searchFilters{Free: true}}},
		{"times in zones", inRome},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.st)
			// JSON is the reference for what a state keeps, times' zones included.
			want, ok := decodeStateJSON(mustJSON(t, tt.st))
			if !ok {
				t.Fatal("the state does not round-trip in JSON")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func mustJSON(t testing.TB, st state) []byte {
	t.Helper()
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStateTimesAsJSON checks that a time comes back in the location JSON gives it.
func TestStateTimesAsJSON(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 29, 1, 59, 59, 999999999, time.UTC)
	times := []time.Time{at, at.Local(), at.In(rome), at.Add(time.Hour).In(rome), at.In(time.FixedZone("X", 5*3600+45*60)),
		at.Round(0).Local(), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for _, at := range times {
		t.Run(at.String(), func(t *testing.T) {
			got := roundTrip(t, state{V: stateVersion, Created: at}).Created
			var want time.Time
			data, _ := json.Marshal(at)
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v (%v), JSON gives %v (%v)", got, got.Location(), want, want.Location())
			}
		})
	}
}

// TestStateOldJSON checks that a state saved in JSON before the compact encoding
// still reads, and is saved compact after.
func TestStateOldJSON(t *testing.T) {
	full := fullState(t)
	old := mustJSON(t, full)
	got, ok := decodeState(old)
	if !ok {
		t.Fatal("a state saved in JSON does not decode")
	}
	if !reflect.DeepEqual(roundTrip(t, got), got) {
		t.Error("a state read from JSON changes when saved compact")
	}
	if data, _ := full.encode(false); len(data) >= len(old) {
		t.Errorf("compact state %d bytes, JSON %d", len(data), len(old))
	}
}

func TestStateDecodeRejects(t *testing.T) {
	good, err := (&state{Lang: "it", Query: "bambini"}).encode(false)
	if err != nil {
		t.Fatal(err)
	}
	other := state{V: stateVersion + 1}
	otherData, _ := other.encodeCompact()
	oldOther, _ := json.Marshal(state{V: stateVersion + 1})
	unknownField := bytes.Clone(good)
	unknownField[3+7] |= 0x80 // a field beyond the last
	tests := map[string][]byte{
		"nil":                      nil,
		"magic alone":              {stateMagic},
		"another format":           append([]byte{stateMagic, stateFormat + 1}, good[2:]...),
		"another version":          otherData,
		"another version, in JSON": oldOther,
		"truncated":                good[:len(good)-1],
		"trailing bytes":           append(bytes.Clone(good), 0),
		"an unknown field":         unknownField,
		"sealed":                   {0xA7, 1, 2, 3},
		"not JSON":                 []byte("{nope"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if st, ok := decodeState(data); ok {
				t.Errorf("decoded %+v", st)
			}
		})
	}
}

func TestStateEncodeRejectsTimesJSONCannotHold(t *testing.T) {
	st := state{Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := st.encode(false); err == nil {
		t.Error("a time after year 9999 encoded")
	}
}

// TestStateEncodeDeterministic checks that the same state gives the same bytes,
// its consents in whatever order the map gives them.
func TestStateEncodeDeterministic(t *testing.T) {
	st := fullState(t)
	for i := range 5 {
		st.Consents[fmt.Sprint("c", i)] = st.Created
	}
	first, _ := st.encode(false)
	for range 10 {
		if again, _ := st.encode(false); !bytes.Equal(again, first) {
			t.Fatal("the same state encodes differently")
		}
	}
}

func FuzzDecodeState(f *testing.F) {
	full := fullState(f)
	compact, err := full.encode(false)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(compact)
	f.Add(mustJSON(f, full))
	empty, _ := (&state{}).encode(false)
	f.Add(empty)
	f.Add([]byte{stateMagic, stateFormat, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		st, ok := decodeState(data)
		if !ok {
			return
		}
		// Whatever decodes saves and reads back the same.
		again, err := st.encode(false)
		if err != nil {
			return // a time JSON could read that the compact encoding refuses
		}
		got, ok := decodeState(again)
		if !ok || !reflect.DeepEqual(got, st) {
			t.Fatalf("decoded %+v, saved and read back %+v (ok %v)", st, got, ok)
		}
	})
}

func BenchmarkStateCodec(b *testing.B) {
	st := fullState(b)
	st.Dom, st.Draft, st.Acts, st.Enrol, st.Voucher = nil, nil, nil, nil, nil
	compact, _ := st.encode(false)
	old := mustJSON(b, st)
	b.Run("decode", func(b *testing.B) {
		b.ReportMetric(float64(len(compact)), "state-bytes")
		for b.Loop() {
			decodeState(compact)
		}
	})
	b.Run("decode-json", func(b *testing.B) {
		b.ReportMetric(float64(len(old)), "state-bytes")
		for b.Loop() {
			decodeState(old)
		}
	})
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.encode(false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(st); err != nil {
				b.Fatal(err)
			}
		}
	})
}
