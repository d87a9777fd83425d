package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
)

// The files of an HSDS dataset, as Export writes them.
const (
	FileServices      = "services.json"
	FileOrganizations = "organizations.json"
)

// Bounds on what a dataset may hold: beyond them it is not a directory of Milan's
// services but a mistake (a wrong file, a dump of something else).
const (
	// MaxFileSize bounds one file of a dataset.
	MaxFileSize = 64 << 20
	// MaxRecords bounds the services, and the organizations, of one dataset.
	MaxRecords = 20000
	// maxListedErrors bounds the errors listed one by one.
	maxListedErrors = 20
)

// ErrBadDataset marks a dataset that cannot be read: not JSON, not an array of
// objects, too big, or records without an id.
var ErrBadDataset = errors.New("not a readable HSDS dataset")

// Input is an HSDS dataset as read: the services and the organizations, each with
// the names of the fields it had, so that the import can say which it left out.
type Input struct {
	Services      []Service
	Organizations []Organization
	// ServiceFields and OrganizationFields are the fields each record had with a
	// value, in the order of the records.
	ServiceFields      [][]string
	OrganizationFields [][]string
}

// Read reads services.json (required) and organizations.json (optional: the
// services' nested organizations are enough) from a dataset folder.
func Read(fsys fs.FS) (*Input, error) {
	in := &Input{}
	data, err := readBounded(fsys, FileServices)
	if err != nil {
		return nil, err
	}
	if in.Services, in.ServiceFields, err = decodeArray[Service](FileServices, "service", data); err != nil {
		return nil, err
	}
	data, err = readBounded(fsys, FileOrganizations)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if in.Organizations, in.OrganizationFields, err = decodeArray[Organization](FileOrganizations, "organization", data); err != nil {
			return nil, err
		}
	}
	var missing []string
	for i, s := range in.Services {
		if strings.TrimSpace(s.ID) == "" {
			missing = append(missing, fmt.Sprintf("%s: service #%d (%q) has no id", FileServices, i+1, s.Name))
		}
		if s.Organization != nil && strings.TrimSpace(s.Organization.ID) == "" {
			missing = append(missing, fmt.Sprintf("%s: the organization of service #%d (%q) has no id", FileServices, i+1, s.Name))
		}
	}
	for i, o := range in.Organizations {
		if strings.TrimSpace(o.ID) == "" {
			missing = append(missing, fmt.Sprintf("%s: organization #%d (%q) has no id", FileOrganizations, i+1, o.Name))
		}
	}
	if len(missing) > 0 {
		return nil, listed(missing)
	}
	return in, nil
}

// listed is one error naming every problem, the first maxListedErrors one a line.
func listed(problems []string) error {
	more := ""
	if len(problems) > maxListedErrors {
		more = fmt.Sprintf("\n  … and %d more", len(problems)-maxListedErrors)
		problems = problems[:maxListedErrors]
	}
	return fmt.Errorf("%w:\n  %s%s", ErrBadDataset, strings.Join(problems, "\n  "), more)
}

// readBounded reads one file, refusing one over MaxFileSize without reading it all.
func readBounded(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: %s is over the limit of %d MiB", ErrBadDataset, name, MaxFileSize>>20)
	}
	return data, nil
}

// decodeArray decodes a JSON array of records, one at a time, so that a bad record
// is named by its place and line, and the count is bounded before it is all decoded.
func decodeArray[T any](file, kind string, data []byte) ([]T, [][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, nil, fmt.Errorf("%w: %s must be a JSON array of %s objects%s", ErrBadDataset, file, kind, at(data, dec.InputOffset(), err))
	}
	var out []T
	var fields [][]string
	for dec.More() {
		if len(out) == MaxRecords {
			return nil, nil, fmt.Errorf("%w: %s has more than %d records", ErrBadDataset, file, MaxRecords)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("%w: %s, %s #%d: %v%s", ErrBadDataset, file, kind, len(out)+1, plainJSONError(err), at(data, dec.InputOffset(), nil))
		}
		var v T
		var present map[string]json.RawMessage
		if err := json.Unmarshal(raw, &present); err != nil {
			return nil, nil, fmt.Errorf("%w: %s, %s #%d is not an object", ErrBadDataset, file, kind, len(out)+1)
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, nil, fmt.Errorf("%w: %s, %s #%d: %v", ErrBadDataset, file, kind, len(out)+1, plainJSONError(err))
		}
		out = append(out, v)
		fields = append(fields, presentFields(present))
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("%w: %s does not end its array%s", ErrBadDataset, file, at(data, dec.InputOffset(), err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: %s does not end its array: more follows it%s", ErrBadDataset, file, at(data, dec.InputOffset(), nil))
	}
	return out, fields, nil
}

// presentFields lists the fields of an object that have a value (not null, "" or []).
func presentFields(obj map[string]json.RawMessage) []string {
	var out []string
	for k, v := range obj {
		switch strings.TrimSpace(string(v)) {
		case "null", `""`, "[]", "{}":
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// at says where in the file an error is, as a line number.
func at(data []byte, offset int64, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	if offset <= 0 || offset > int64(len(data)) {
		if err != nil {
			return ": " + plainJSONError(err)
		}
		return ""
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	if err != nil {
		return fmt.Sprintf(" (line %d: %s)", line, plainJSONError(err))
	}
	return fmt.Sprintf(" (line %d)", line)
}

// plainJSONError words a decoding error without Go's type names.
func plainJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s has a %s where HSDS wants a %s", te.Field, te.Value, jsonKind(te.Type.Kind().String()))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends too early"
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "float64", "int", "float32", "int64":
		return "number"
	case "slice":
		return "array"
	case "struct", "ptr", "map":
		return "object"
	}
	return goKind
}
