package catalogue

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// ValidateFile checks a single catalogue file (say, an edited services file) in the
// context of the bundled catalogue: the file takes the place of its namesake, so that
// references to providers and categories are checked too. Problems name the file by
// the path given.
func ValidateFile(path string) (*Catalogue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: fmt.Sprintf("the file is %d bytes, over the limit of %d", len(data), maxFileSize)}}}
	}
	overlay := fstest.MapFS{}
	err = fs.WalkDir(bundled, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(bundled, p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("data", p)
		overlay[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read bundled catalogue: %w", err)
	}
	slot := slotFor(filepath.Base(path), data)
	overlay[slot] = &fstest.MapFile{Data: data}
	c, err := Load(overlay)
	var ve *ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Problems {
			if ve.Problems[i].File == slot {
				ve.Problems[i].File = path
			}
		}
	}
	return c, err
}

// slotFor says where in a catalogue folder a file belongs: its own name for the
// top-level files, services/ for a file whose top-level key is "services".
func slotFor(base string, data []byte) string {
	switch base {
	case fileCategories, fileOrganizations, fileSpaces, fileThesaurus:
		return base
	}
	var top map[string]yaml.Node
	if yaml.Unmarshal(data, &top) == nil {
		for _, f := range []struct{ key, file string }{{"organizations", fileOrganizations},
			{"spaces", fileSpaces}, {"needs", fileThesaurus}, {"categories", fileCategories}} {
			if _, ok := top[f.key]; ok {
				return f.file
			}
		}
	}
	return dirServices + "/" + base
}
