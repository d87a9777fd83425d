package catalogue

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed data/*.yaml data/services/*.yaml
var bundled embed.FS

// maxFileSize bounds what one catalogue file may hold, so that a wrong path (a disk
// image, a log) is refused instead of read into memory.
const maxFileSize = 8 << 20

// Bundled loads the sample catalogue embedded in the binary.
func Bundled() (*Catalogue, error) {
	sub, err := fs.Sub(bundled, "data")
	if err != nil {
		return nil, fmt.Errorf("open bundled catalogue: %w", err)
	}
	return Load(sub)
}

// LoadDir loads and validates the catalogue in a folder on disk.
func LoadDir(dir string) (*Catalogue, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open catalogue folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open catalogue folder %s: not a folder", dir)
	}
	return Load(os.DirFS(dir))
}

// The files of a catalogue folder.
const (
	fileCategories    = "categories.yaml"
	fileOrganizations = "organizations.yaml"
	fileSpaces        = "spaces.yaml"
	fileThesaurus     = "thesaurus.yaml"
	dirServices       = "services"
)

// Load reads and validates a catalogue from a folder laid out as data/README.md
// describes. It reports every problem at once in a *ValidationError; an invalid
// catalogue is never returned.
func Load(fsys fs.FS) (*Catalogue, error) {
	var ps problems
	l := loader{ps: &ps}

	l.categories = decodeFile[categoryRecord](fileCategories, l.read(fsys, fileCategories, true), "categories", "category", &ps)
	l.orgs = decodeFile[organizationRecord](fileOrganizations, l.read(fsys, fileOrganizations, true), "organizations", "organization", &ps)
	l.spaces = decodeFile[spaceRecord](fileSpaces, l.read(fsys, fileSpaces, true), "spaces", "space", &ps)
	if data := l.read(fsys, fileThesaurus, false); data != nil {
		l.needs = decodeFile[needRecord](fileThesaurus, data, "needs", "need", &ps)
	}
	serviceFiles, err := fs.Glob(fsys, dirServices+"/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list service files: %w", err)
	}
	sort.Strings(serviceFiles)
	if len(serviceFiles) == 0 {
		ps.add(Problem{File: dirServices + "/", Msg: "no service files (*.yaml) found"})
	}
	for _, f := range serviceFiles {
		l.services = append(l.services, decodeFile[serviceRecord](f, l.read(fsys, f, true), "services", "service", &ps)...)
	}
	l.checkStrayFiles(fsys)

	c := l.build()
	if err := ps.err(); err != nil {
		return nil, err
	}
	milan, err := LoadMilan()
	if err != nil {
		return nil, err
	}
	c.Milan = milan
	return c, nil
}

type loader struct {
	ps         *problems
	categories []record[categoryRecord]
	orgs       []record[organizationRecord]
	services   []record[serviceRecord]
	spaces     []record[spaceRecord]
	needs      []record[needRecord]
}

func (l *loader) read(fsys fs.FS, name string, required bool) []byte {
	f, err := fsys.Open(name)
	if err != nil {
		if required || !isNotExist(err) {
			l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		}
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		return nil
	}
	if st.IsDir() {
		l.ps.add(Problem{File: name, Msg: "is a folder, expected a YAML file"})
		return nil
	}
	if st.Size() > maxFileSize {
		l.ps.add(Problem{File: name, Msg: fmt.Sprintf("the file is %d bytes, over the limit of %d", st.Size(), maxFileSize)})
		return nil
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		return nil
	}
	if data == nil {
		data = []byte{}
	}
	return data
}

// checkStrayFiles reports YAML files the loader would not read, which usually means a
// file was saved in the wrong place or with the wrong name.
func (l *loader) checkStrayFiles(fsys fs.FS) {
	known := map[string]bool{fileCategories: true, fileOrganizations: true, fileSpaces: true, fileThesaurus: true}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		l.ps.add(Problem{File: ".", Msg: "cannot list the folder: " + plainFSError(err)})
		return
	}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") && !known[e.Name()] {
			l.ps.add(Problem{File: e.Name(), Msg: "unknown catalogue file: services go in services/, the other files are " +
				strings.Join([]string{fileCategories, fileOrganizations, fileSpaces, fileThesaurus}, ", ")})
		}
	}
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func plainFSError(err error) string {
	if isNotExist(err) {
		return "the file does not exist"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
