package hsds_test

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/comune-milano/wemibot/hsds"
)

// Bad datasets are refused with an error that says what and where, never a panic
// or a half-read dataset.
func TestReadRefusesBadDatasets(t *testing.T) {
	cases := []struct {
		name, services, orgs string
		want                 []string
	}{
		{"not JSON", `[{"id": "a", "name": "x",}]`, "", []string{"services.json, service #1", "line 1"}},
		{"cut short", "[\n{\"id\": \"a\", \"name\": \"x\"},\n{\"id\": \"b\"", "", []string{"service #2", "ends too early"}},
		{"not an array", `{"id": "a"}`, "", []string{"services.json must be a JSON array of service objects"}},
		{"a record not an object", `[{"id": "a", "name": "x"}, 3]`, "", []string{"service #2 is not an object"}},
		{"a field of the wrong type", `[{"id": "a", "name": "x", "cost_options": [{"id": "c", "amount": "12 euro"}]}]`, "",
			[]string{"service #1", "field cost_options.amount has a string where HSDS wants a number"}},
		{"services without ids", `[{"name": "first"}, {"id": "b", "name": "second"}, {"id": " ", "name": "third"}]`, "",
			[]string{`service #1 ("first") has no id`, `service #3 ("third") has no id`}},
		{"a nested organization without id", `[{"id": "a", "name": "x", "organization": {"name": "o"}}]`, "",
			[]string{`the organization of service #1 ("x") has no id`}},
		{"organizations without ids", `[]`, `[{"name": "Ente"}]`, []string{`organizations.json: organization #1 ("Ente") has no id`}},
		{"bad organizations", `[]`, `[{"id": 3}]`, []string{"organizations.json, organization #1"}},
		{"trailing garbage", `[{"id": "a", "name": "x"}] }`, "", []string{"services.json does not end its array"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"services.json": {Data: []byte(c.services)}}
			if c.orgs != "" {
				fsys["organizations.json"] = &fstest.MapFile{Data: []byte(c.orgs)}
			}
			_, err := hsds.Read(fsys)
			if !errors.Is(err, hsds.ErrBadDataset) {
				t.Fatalf("err = %v, want ErrBadDataset", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestReadNeedsServices(t *testing.T) {
	_, err := hsds.Read(fstest.MapFS{"organizations.json": {Data: []byte(`[]`)}})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "services.json") {
		t.Errorf("err = %v, want a missing services.json", err)
	}
}

// A file without end is refused at the limit, not read into memory whole.
func TestReadBoundsHugeFiles(t *testing.T) {
	fsys := endlessFS{}
	_, err := hsds.Read(fsys)
	if !errors.Is(err, hsds.ErrBadDataset) || !strings.Contains(err.Error(), "over the limit of 64 MiB") {
		t.Errorf("err = %v, want the size limit", err)
	}
}

// Too many records are refused before they are all decoded.
func TestReadBoundsRecords(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i <= hsds.MaxRecords; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"x","name":"y"}`)
	}
	b.WriteString("]")
	_, err := hsds.Read(fstest.MapFS{"services.json": {Data: []byte(b.String())}})
	if !errors.Is(err, hsds.ErrBadDataset) || !strings.Contains(err.Error(), "more than 20000 records") {
		t.Errorf("err = %v, want the record limit", err)
	}
}

// endlessFS has a services.json that never ends, like /dev/zero: "[" then spaces.
type endlessFS struct{}

func (endlessFS) Open(name string) (fs.File, error) {
	if name != "services.json" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &endless{}, nil
}

type endless struct{ started bool }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	if !e.started && len(p) > 0 {
		p[0], e.started = '[', true
	}
	return len(p), nil
}
func (*endless) Close() error               { return nil }
func (*endless) Stat() (fs.FileInfo, error) { return endlessInfo{}, nil }

type endlessInfo struct{}

func (endlessInfo) Name() string       { return "services.json" }
func (endlessInfo) Size() int64        { return 0 }
func (endlessInfo) Mode() fs.FileMode  { return 0o444 }
func (endlessInfo) ModTime() time.Time { return time.Time{} }
func (endlessInfo) IsDir() bool        { return false }
func (endlessInfo) Sys() any           { return nil }

var _ io.Reader = (*endless)(nil)
