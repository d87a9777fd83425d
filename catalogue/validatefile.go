package catalogue

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/i18n"
)

// ValidateFile checks a single catalogue file (say, an edited services file) in its
// context. Inside a catalogue folder (next to organizations.yaml, or in its services/
// folder) the whole folder is checked. Elsewhere the file takes the place of its
// counterpart in the bundled catalogue: the file of the same name, a language's
// translations or thesaurus (<code>.yaml), or the services file that shares its ids. Problems name the file by the path given.
func ValidateFile(path string) (*Catalogue, error) {
	switch ext := filepath.Ext(path); ext {
	case ".yaml", ".yml":
	default:
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: "not a catalogue file: catalogue files are YAML and end in .yaml"}}}
	}
	dir := filepath.Dir(path)
	for _, root := range []string{dir, filepath.Dir(dir)} {
		if sub := filepath.Base(dir); root == filepath.Dir(dir) && sub != dirServices && sub != dirTranslations && sub != dirThesaurus {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, fileOrganizations)); err == nil {
			c, err := LoadDir(root)
			return c, renameAll(c, err, root)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &ValidationError{Problems: []Problem{{File: path, Msg: fmt.Sprintf("the file is over the limit of %d bytes", maxFileSize)}}}
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
		overlay[strings.TrimPrefix(p, "data/")] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read bundled catalogue: %w", err)
	}
	slot := slotFor(filepath.Base(path), data, overlay)
	overlay[slot] = &fstest.MapFile{Data: data}
	c, err := Load(overlay)
	return c, renameAll(c, err, "", slot, path)
}

// renameAll renames the files in the problems of err and in the catalogue's warnings.
func renameAll(c *Catalogue, err error, root string, slotAndPath ...string) error {
	if c != nil {
		rename(c.Warnings, root, slotAndPath...)
	}
	return renameProblems(err, root, slotAndPath...)
}

// renameProblems makes the problems of a validation name files as the user knows
// them: inside root, or the overlay slot as the given path.
func renameProblems(err error, root string, slotAndPath ...string) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		rename(ve.Problems, root, slotAndPath...)
	}
	return err
}

func rename(ps []Problem, root string, slotAndPath ...string) {
	for i := range ps {
		p := &ps[i]
		switch {
		case root != "":
			p.File = filepath.Join(root, filepath.FromSlash(p.File))
		case len(slotAndPath) == 2 && p.File == slotAndPath[0]:
			p.File = slotAndPath[1]
		}
	}
}

// slotFor says which file of the bundled catalogue a file replaces: its own name for
// the top-level files, or by its top-level key; for services, the bundled file that
// shares most of its ids, else a new file in services/.
func slotFor(base string, data []byte, bundledFiles fstest.MapFS) string {
	switch base {
	case fileCategories, fileOrganizations, fileSpaces, fileThesaurus:
		return base
	}
	var top map[string]yaml.Node
	if code := strings.TrimSuffix(base, filepath.Ext(base)); code != LangItalian && code != LangEnglish {
		if _, ok := i18n.Get(code); ok {
			// A language's file: its needs, or its translations.
			if yaml.Unmarshal(data, &top) == nil && top["needs"].Kind != 0 {
				return dirThesaurus + "/" + code + ".yaml"
			}
			return dirTranslations + "/" + code + ".yaml"
		}
	}
	if yaml.Unmarshal(data, &top) == nil {
		for _, f := range []struct{ key, file string }{{"organizations", fileOrganizations},
			{"spaces", fileSpaces}, {"needs", fileThesaurus}, {"categories", fileCategories}} {
			if _, ok := top[f.key]; ok {
				return f.file
			}
		}
	}
	ids := serviceIDs(data)
	best, bestShared := "", 0
	for name, f := range bundledFiles {
		if !strings.HasPrefix(name, dirServices+"/") {
			continue
		}
		shared := 0
		for id := range serviceIDs(f.Data) {
			if ids[id] {
				shared++
			}
		}
		if shared > bestShared || shared == bestShared && shared > 0 && name < best {
			best, bestShared = name, shared
		}
	}
	if best != "" {
		return best
	}
	return dirServices + "/" + strings.TrimSuffix(base, filepath.Ext(base)) + ".yaml"
}

// serviceIDs reads the ids of a services file, ignoring anything malformed (the
// loader reports it).
func serviceIDs(data []byte) map[string]bool {
	var f struct {
		Services []struct {
			ID string `yaml:"id"`
		} `yaml:"services"`
	}
	ids := map[string]bool{}
	if yaml.Unmarshal(data, &f) == nil {
		for _, s := range f.Services {
			ids[s.ID] = true
		}
	}
	return ids
}
