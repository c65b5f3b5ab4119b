// Package doccheck holds one test: every package of the root module that a
// program can import, apart from internal ones, documents itself and every
// exported name it declares. It parses the sources and builds nothing, so it
// runs in well under a second.
package doccheck

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// misnamed reports, as "import/path.Name: first line", the doc comments of
// functions, methods and types that do not begin with the name they
// document (after an optional "A", "An" or "The"), as go doc and gopls
// expect.
func misnamed(path, name string, doc *ast.CommentGroup) string {
	if doc == nil {
		return ""
	}
	text := doc.Text()
	short := name[strings.LastIndexByte(name, '.')+1:]
	for _, article := range []string{"A ", "An ", "The "} {
		if rest, ok := strings.CutPrefix(text, article); ok {
			text = rest
			break
		}
	}
	if rest, ok := strings.CutPrefix(text, short); ok && (rest == "" || !isIdentByte(rest[0])) {
		return ""
	}
	first, _, _ := strings.Cut(doc.Text(), "\n")
	return fmt.Sprintf("%s.%s: %q", path, name, first)
}

func isIdentByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// allowed lists names, as "import/path.Name" or "import/path.Type.Member",
// that may stay undocumented for now. Each entry is in a file another change
// owns; once that change documents it, the entry goes. The list is meant to
// be empty.
var allowed = map[string]bool{}

// TestExportedNamesAreDocumented fails with every exported name of the root
// module's public packages that has no doc comment: types, functions,
// methods of exported types, fields of exported structs, methods of exported
// interfaces, constants and variables. A package must have a package doc
// comment too.
func TestExportedNamesAreDocumented(t *testing.T) {
	root, module := moduleRoot(t)
	dirs := packageDirs(t, root)
	if len(dirs) == 0 {
		t.Fatalf("no packages found under %s", root)
	}

	var missing, wrong []string
	seen := map[string]bool{}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		path := module
		if rel != "." {
			path += "/" + filepath.ToSlash(rel)
		}
		gaps, misnamed := undocumented(t, dir, path)
		wrong = append(wrong, misnamed...)
		for _, name := range gaps {
			seen[name] = true
			if !allowed[name] {
				missing = append(missing, name)
			}
		}
	}
	for name := range allowed {
		if !seen[name] {
			t.Errorf("allowed lists %s, which is documented now or gone: drop the entry", name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d exported names have no doc comment:\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)
		t.Errorf("%d doc comments do not begin with the name they document:\n\t%s",
			len(wrong), strings.Join(wrong, "\n\t"))
	}
}

// moduleRoot walks up from the test's directory to the go.mod that declares
// the root module and returns its directory and module path.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if module = modulePath(filepath.Join(dir, "go.mod")); module != "" {
			return dir, module
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// modulePath returns the module path a go.mod declares, or "" if there is
// no such file.
func modulePath(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// packageDirs lists the directories of root's module that hold non-test Go
// files, leaving out internal trees, testdata, hidden directories and nested
// modules (directories with a go.mod of their own).
func packageDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root {
			name := d.Name()
			if name == "internal" || name == "testdata" || name == "vendor" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		files, err := filepath.Glob(filepath.Join(path, "*.go"))
		if err != nil {
			return err
		}
		if slices.ContainsFunc(files, isSource) {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func isSource(file string) bool {
	return strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, "_test.go")
}

// undocumented parses the non-test files of dir, the package at import path
// path, and returns its exported names that have no doc comment, and those
// of its functions, methods and types whose doc comment does not begin with
// their name.
func undocumented(t *testing.T, dir, path string) (missing, wrong []string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if e.IsDir() || !isSource(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}

	report := func(name string) { missing = append(missing, path+"."+name) }
	check := func(name string, doc *ast.CommentGroup) {
		if w := misnamed(path, name, doc); w != "" {
			wrong = append(wrong, w)
		}
	}

	if !slices.ContainsFunc(files, func(f *ast.File) bool { return f.Doc != nil }) {
		missing = append(missing, path+" (package doc)")
	}

	// Exported types, for telling which methods are part of the API.
	exportedType := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.TYPE {
				for _, spec := range gen.Specs {
					ts := spec.(*ast.TypeSpec)
					exportedType[ts.Name.Name] = ts.Name.IsExported()
				}
			}
		}
	}

	for _, f := range files {
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if !decl.Name.IsExported() {
					continue
				}
				name := decl.Name.Name
				if decl.Recv != nil {
					recv := receiverType(decl.Recv)
					if !exportedType[recv] {
						continue
					}
					name = recv + "." + name
				}
				if decl.Doc == nil {
					report(name)
				}
				check(name, decl.Doc)
			case *ast.GenDecl:
				checkGenDecl(decl, report, check)
			}
		}
	}
	return missing, wrong
}

// checkGenDecl reports the undocumented exported names of one type, const or
// var declaration. A doc comment on a parenthesized group documents every
// name in it, as go doc shows the group with its comment; a comment at the
// end of a spec's line counts too.
func checkGenDecl(decl *ast.GenDecl, report func(string), check func(string, *ast.CommentGroup)) {
	grouped := decl.Lparen.IsValid() && decl.Doc != nil
	for _, spec := range decl.Specs {
		switch spec := spec.(type) {
		case *ast.TypeSpec:
			if !spec.Name.IsExported() {
				continue
			}
			switch {
			case spec.Doc != nil:
				check(spec.Name.Name, spec.Doc)
			case !decl.Lparen.IsValid() && decl.Doc != nil:
				check(spec.Name.Name, decl.Doc)
			case spec.Comment == nil && decl.Doc == nil:
				report(spec.Name.Name)
			}
			checkMembers(spec.Name.Name, spec.Type, report)
		case *ast.ValueSpec:
			documented := grouped || spec.Doc != nil || spec.Comment != nil || decl.Doc != nil
			for _, n := range spec.Names {
				if n.IsExported() && !documented {
					report(n.Name)
				}
			}
		}
	}
}

// checkMembers reports the undocumented exported fields of a struct type and
// methods of an interface type. Embedded fields and interfaces are
// documented where they are declared.
func checkMembers(typeName string, expr ast.Expr, report func(string)) {
	var fields *ast.FieldList
	switch typ := expr.(type) {
	case *ast.StructType:
		fields = typ.Fields
	case *ast.InterfaceType:
		fields = typ.Methods
	default:
		return
	}
	for _, field := range fields.List {
		if len(field.Names) == 0 || field.Doc != nil || field.Comment != nil {
			continue
		}
		for _, n := range field.Names {
			if n.IsExported() {
				report(fmt.Sprintf("%s.%s", typeName, n.Name))
			}
		}
	}
}

// receiverType returns the name of a method's receiver type, without a
// pointer or type parameters.
func receiverType(recv *ast.FieldList) string {
	expr := recv.List[0].Type
	for {
		switch e := expr.(type) {
		case *ast.StarExpr:
			expr = e.X
		case *ast.ParenExpr:
			expr = e.X
		case *ast.IndexExpr:
			expr = e.X
		case *ast.IndexListExpr:
			expr = e.X
		case *ast.Ident:
			return e.Name
		default:
			return ""
		}
	}
}

// TestCheckerFindsEveryGap runs the checker on a fixture whose gaps are
// known, so that a checker that misses some fails here rather than passing
// the module unseen.
func TestCheckerFindsEveryGap(t *testing.T) {
	const path = "example.com/sample"
	missing, wrong := undocumented(t, filepath.Join("testdata", "sample"), path)
	slices.Sort(missing)
	slices.Sort(wrong)
	wantMissing := []string{
		path + ".BareConst",
		path + ".BareFunc",
		path + ".BareType",
		path + ".BareVar",
		path + ".Documented.Bare",
		path + ".Documented.BareMethod",
		path + ".Generic.BareGenericMethod",
		path + ".Iface.BareIfaceMethod",
	}
	wantWrong := []string{
		path + `.Misnamed: "Wrongly named: this comment does not begin with the name."`,
		path + `.Prefix: "Prefixedness does not begin with the name either, only with its letters."`,
	}
	if !slices.Equal(missing, wantMissing) {
		t.Errorf("undocumented names:\n got %q\nwant %q", missing, wantMissing)
	}
	if !slices.Equal(wrong, wantWrong) {
		t.Errorf("misnamed doc comments:\n got %q\nwant %q", wrong, wantWrong)
	}
}

// TestCheckerWantsPackageDoc: a package without a package comment is
// reported even when every name in it is documented.
func TestCheckerWantsPackageDoc(t *testing.T) {
	missing, wrong := undocumented(t, filepath.Join("testdata", "nodoc"), "example.com/nodoc")
	if want := []string{"example.com/nodoc (package doc)"}; !slices.Equal(missing, want) || len(wrong) != 0 {
		t.Errorf("got %q and %q, want %q and nothing", missing, wrong, want)
	}
}
