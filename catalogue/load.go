package catalogue

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/comune-milano/wemibot/i18n"
)

// The whole folder, so that the optional i18n/ and thesaurus/ folders are embedded
// when they exist (a pattern that matches no file would not compile).
//
//go:embed data
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
// describes, for the languages of the registry (package i18n). It reports every
// problem at once in a *ValidationError; an invalid catalogue is never returned.
// Warnings (a missing translation) do not stop it: they are in Catalogue.Warnings.
func Load(fsys fs.FS) (*Catalogue, error) { return LoadLanguages(fsys, i18n.All()) }

// LoadLanguages is Load for the given languages instead of the registry's (tests
// use it for a language whose registry file is not there yet).
func LoadLanguages(fsys fs.FS, langs []i18n.Language) (*Catalogue, error) {
	var ps problems
	l := loader{ps: &ps, langs: langs}

	if data, ok := l.read(fsys, fileCategories); ok {
		l.categories = decodeFile[categoryRecord](fileCategories, data, "categories", "category", &ps)
	}
	if data, ok := l.read(fsys, fileOrganizations); ok {
		l.orgs = decodeFile[organizationRecord](fileOrganizations, data, "organizations", "organization", &ps)
	}
	if data, ok := l.read(fsys, fileSpaces); ok {
		l.spaces = decodeFile[spaceRecord](fileSpaces, data, "spaces", "space", &ps)
	}
	if data, ok := l.read(fsys, fileThesaurus); ok {
		l.needs = decodeFile[needRecord](fileThesaurus, data, "needs", "need", &ps)
	}
	l.readActivities(fsys)
	l.readThesauri(fsys)
	l.readTranslations(fsys)
	for _, f := range l.serviceFiles(fsys) {
		if data, ok := l.read(fsys, f); ok {
			l.services = append(l.services, decodeFile[serviceRecord](f, data, "services", "service", &ps)...)
		}
	}
	l.checkStrayFiles(fsys)

	c := l.build()
	if err := ps.err(); err != nil {
		return nil, err
	}
	c.Languages = langs
	c.Warnings = ps.warnings()
	milan, err := LoadMilan()
	if err != nil {
		return nil, err
	}
	c.Milan = milan
	return c, nil
}

type loader struct {
	ps           *problems
	langs        []i18n.Language
	translations []*translationFile
	categories   []record[categoryRecord]
	orgs         []record[organizationRecord]
	services     []record[serviceRecord]
	spaces       []record[spaceRecord]
	needs        []record[needRecord]
	activities   []record[activityRecord]
}

// serviceFiles lists the YAML files in services/, reporting anything else there.
func (l *loader) serviceFiles(fsys fs.FS) []string {
	entries, err := fs.ReadDir(fsys, dirServices)
	if err != nil {
		l.ps.add(Problem{File: dirServices + "/", Msg: "cannot read the services folder: " + plainFSError(err)})
		return nil
	}
	var files []string
	for _, e := range entries {
		name := dirServices + "/" + e.Name()
		switch ext := path.Ext(e.Name()); {
		case e.IsDir():
			l.ps.add(Problem{File: name, Msg: "folders inside services/ are not read; move its files up"})
		case ext == ".yaml" || ext == ".yml":
			files = append(files, name)
		case strings.HasPrefix(e.Name(), "."):
			// Editors' swap and lock files.
		default:
			l.ps.add(Problem{File: name, Msg: "not a YAML file: service files must end in .yaml"})
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		l.ps.add(Problem{File: dirServices + "/", Msg: "no service files (*.yaml) found"})
	}
	return files
}

// read returns a file's content, reporting a missing, unreadable or oversized file.
func (l *loader) read(fsys fs.FS, name string) ([]byte, bool) {
	f, err := fsys.Open(name)
	if err != nil {
		l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		return nil, false
	}
	if st.IsDir() {
		l.ps.add(Problem{File: name, Msg: "is a folder, expected a YAML file"})
		return nil, false
	}
	// Read at most one byte past the limit: a special file (/dev/zero) reports no size.
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		l.ps.add(Problem{File: name, Msg: "cannot read the file: " + plainFSError(err)})
		return nil, false
	}
	if len(data) > maxFileSize {
		l.ps.add(Problem{File: name, Msg: fmt.Sprintf("the file is over the limit of %d bytes", maxFileSize)})
		return nil, false
	}
	return data, true
}

// checkStrayFiles reports YAML files the loader would not read, which usually means a
// file was saved in the wrong place or with the wrong name.
func (l *loader) checkStrayFiles(fsys fs.FS) {
	known := map[string]bool{fileCategories: true, fileOrganizations: true, fileSpaces: true, fileThesaurus: true, fileActivities: true}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		l.ps.add(Problem{File: ".", Msg: "cannot list the folder: " + plainFSError(err)})
		return
	}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") && !known[e.Name()] {
			l.ps.add(Problem{File: e.Name(), Msg: "unknown catalogue file: services go in services/, the other files are " +
				strings.Join([]string{fileCategories, fileOrganizations, fileSpaces, fileThesaurus, fileActivities}, ", ") + " (with .yaml)"})
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
