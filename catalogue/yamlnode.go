package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// record is one decoded YAML record with the node it came from, so that problems
// found later can name its line and its fields' lines.
type record[T any] struct {
	file  string
	index int
	node  *yaml.Node
	val   T
}

// line returns the line of a dotted field path inside the record ("cost.individual"),
// falling back to the record's own line.
func (r record[T]) line(path string) int {
	n := r.node
	for _, part := range strings.Split(path, ".") {
		key, idx, hasIdx := strings.Cut(part, "[")
		next := mappingValue(n, key)
		if next == nil {
			return n.Line
		}
		n = next
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return n.Line
			}
			n = n.Content[i]
		}
	}
	return n.Line
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// decodeFile parses one YAML file whose top level is a mapping with a single list
// under key, and decodes each item into a T. Problems are reported, never fatal: the
// items that decoded are returned so that the rest of the catalogue is still checked.
func decodeFile[T any](name string, data []byte, key, kind string, ps *problems) []record[T] {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		ps.add(Problem{File: name, Line: yamlErrorLine(err), Msg: "not valid YAML: " + cleanYAMLError(err)})
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		ps.add(Problem{File: name, Line: extra.Line, Msg: "the file holds more than one YAML document (a second '---'?); keep one per file"})
		return nil
	}
	if len(doc.Content) == 0 {
		ps.add(Problem{File: name, Msg: fmt.Sprintf("the file is empty; expected a list under %q", key)})
		return nil
	}
	top := doc.Content[0]
	list := mappingValue(top, key)
	if list == nil || list.Kind != yaml.SequenceNode {
		ps.add(Problem{File: name, Line: top.Line, Msg: fmt.Sprintf("expected a list under %q at the top of the file", key)})
		return nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i].Value; k != key {
			ps.add(Problem{File: name, Line: top.Content[i].Line, Msg: fmt.Sprintf("unknown top-level key %q (expected only %q)", k, key)})
		}
	}
	var out []record[T]
	typ := reflect.TypeOf((*T)(nil)).Elem()
	for i, item := range list.Content {
		v, ok := decodeRecord[T](ps, name, recordLabel(kind, item, i), item, typ)
		if !ok {
			continue
		}
		out = append(out, record[T]{file: name, index: i, node: item, val: v})
	}
	return out
}

// decodeRecord decodes one record's mapping into a T, reporting a node that is not a
// mapping, unknown fields and values of the wrong type as problems of label.
func decodeRecord[T any](ps *problems, name, label string, item *yaml.Node, typ reflect.Type) (T, bool) {
	var v T
	if item.Kind != yaml.MappingNode {
		ps.add(Problem{File: name, Line: item.Line, Record: label, Msg: "expected a mapping of fields"})
		return v, false
	}
	for _, u := range unknownFields(item, typ, "") {
		ps.add(Problem{File: name, Line: u.line, Record: label, Field: u.path, Msg: "unknown field"})
	}
	if err := item.Decode(&v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, msg := range te.Errors {
				ps.add(Problem{File: name, Line: yamlErrorLine(errors.New(msg)), Record: label, Msg: cleanYAMLError(errors.New(msg))})
			}
		} else {
			ps.add(Problem{File: name, Line: item.Line, Record: label, Msg: cleanYAMLError(err)})
		}
		return v, false
	}
	return v, true
}

func recordLabel(kind string, item *yaml.Node, i int) string {
	if id := mappingValue(item, "id"); id != nil && id.Kind == yaml.ScalarNode && id.Value != "" {
		return fmt.Sprintf("%s %q", kind, id.Value)
	}
	return fmt.Sprintf("%s #%d", kind, i+1)
}

type unknownField struct {
	path string
	line int
}

// unknownFields finds keys in a mapping node that the struct type does not declare,
// so that a misspelt field is an error rather than silently ignored.
func unknownFields(n *yaml.Node, t reflect.Type, prefix string) []unknownField {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	var out []unknownField
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				out = append(out, unknownField{path: prefix + k.Value, line: k.Line})
				continue
			}
			out = append(out, unknownFields(n.Content[i+1], ft, prefix+k.Value+".")...)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, unknownFields(c, t, prefix)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}

var (
	yamlLineRE        = regexp.MustCompile(`line (\d+)`)
	yamlLeadingLineRE = regexp.MustCompile(`^line \d+: `)
)

func yamlErrorLine(err error) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// cleanYAMLError drops the leading "yaml: line N:", which Problem already shows.
func cleanYAMLError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if loc := yamlLeadingLineRE.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	return s
}
