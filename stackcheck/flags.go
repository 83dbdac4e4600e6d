package stackcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
)

// flagDefs maps the flag package's definition methods to the position of
// their name argument; Bool* flags take no value.
var flagDefs = map[string]int{
	"String": 0, "Int": 0, "Int64": 0, "Uint": 0, "Uint64": 0, "Float64": 0, "Duration": 0, "Bool": 0, "Func": 0, "BoolFunc": 0,
	"StringVar": 1, "IntVar": 1, "Int64Var": 1, "UintVar": 1, "Uint64Var": 1, "Float64Var": 1, "DurationVar": 1, "BoolVar": 1,
	"Var": 1, "TextVar": 1,
}

// Flags lists the command-line flags a main package defines, by reading
// its source: calls such as flag.String("name", ...) or fs.StringVar(&v,
// "name", ...). The value is true for boolean flags. A package that does not
// import "flag" defines none.
func Flags(dir string) (map[string]bool, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	out := map[string]bool{}
	sawMain := false
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("flags: %w", err)
		}
		if f.Name.Name != "main" {
			return nil, fmt.Errorf("flags: %s is package %s, not main", path, f.Name.Name)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "main" {
				sawMain = true
			}
		}
		if !importsFlag(f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pos, ok := flagDefs[sel.Sel.Name]
			if !ok || len(call.Args) <= pos {
				return true
			}
			lit, ok := call.Args[pos].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, err := strconv.Unquote(lit.Value)
			if err == nil && name != "" {
				out[name] = strings.HasPrefix(sel.Sel.Name, "Bool")
			}
			return true
		})
	}
	if !sawMain {
		return nil, fmt.Errorf("flags: no func main in %s", dir)
	}
	return out, nil
}

func importsFlag(f *ast.File) bool {
	for _, im := range f.Imports {
		if im.Path.Value == `"flag"` {
			return true
		}
	}
	return false
}

// CheckArgs reports the problems of running a binary with args, given its
// flags: unknown flags, flags missing their value and stray arguments.
func CheckArgs(args []string, flags map[string]bool) []string {
	var problems []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			problems = append(problems, fmt.Sprintf("argument %q is not a flag (the binary takes no positional arguments)", a))
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		isBool, ok := flags[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("flag %q is not defined by the binary", name))
			continue
		}
		if !isBool && !hasValue {
			if i+1 >= len(args) {
				problems = append(problems, fmt.Sprintf("flag %q needs a value", name))
			}
			i++
		}
	}
	return problems
}
