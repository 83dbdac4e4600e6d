// Package scaffold adds a subgraph to the shop in one step (`make subgraph
// NAME=reviews`): it writes subgraphs/<name>/ from the templates embedded
// here (a gqlgen federation v2 module on platform/ with an example entity
// that extends Product), registers the module everywhere the repository
// lists subgraphs, and runs go generate for it. It refuses to overwrite
// anything: every check and every edit is worked out before the first
// file is written.
package scaffold

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

//go:embed all:templates
var templates embed.FS

// Options say which subgraph to add where.
type Options struct {
	// Root is the repository root (the folder holding go.work).
	Root string
	// Name is the subgraph's name: lowercase letters and digits.
	Name string
	// Port is its port; 0 takes the one after the highest port in
	// supergraph.yaml.
	Port int
	// SkipGenerate leaves out `go generate` and `go mod tidy` (tests of
	// the edits alone).
	SkipGenerate bool
	// Go is the go command (default "go").
	Go string
	// Log receives the progress and the commands' output (default: discarded).
	Log io.Writer
}

// Result says what Run did.
type Result struct {
	// Dir is the new module, relative to Root.
	Dir string
	// Port is the port the subgraph listens on.
	Port int
	// Type is the example entity's GraphQL type (e.g. Review).
	Type string
	// Created and Changed are the files written and edited, relative to Root.
	Created, Changed []string
}

// Run adds the subgraph o.Name to the repository at o.Root.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := ValidateName(o.Name); err != nil {
		return Result{}, err
	}
	repo, err := readRepo(o.Root)
	if err != nil {
		return Result{}, err
	}
	d, err := newData(repo, o.Name, o.Port)
	if err != nil {
		return Result{}, err
	}
	files, err := render(d, repo.kube)
	if err != nil {
		return Result{}, err
	}
	edits, err := plan(repo, d)
	if err != nil {
		return Result{}, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if _, err := os.Lstat(filepath.Join(o.Root, name)); !errors.Is(err, os.ErrNotExist) {
			return Result{}, fmt.Errorf("%s already exists: the scaffold never overwrites", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	res := Result{Dir: d.Dir, Port: d.Port, Type: d.Type}
	// Nothing is written before this point; from here on, the new folder
	// must not exist (checked again, atomically, by Mkdir).
	if err := os.Mkdir(filepath.Join(o.Root, d.Dir), 0o755); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", d.Dir, err)
	}
	for _, name := range names {
		if err := writeNew(filepath.Join(o.Root, name), files[name]); err != nil {
			return res, err
		}
		res.Created = append(res.Created, name)
	}
	for _, e := range edits {
		if err := os.WriteFile(filepath.Join(o.Root, e.path), e.content, e.mode); err != nil {
			return res, fmt.Errorf("register in %s: %w", e.path, err)
		}
		res.Changed = append(res.Changed, e.path)
	}
	fmt.Fprintf(o.Log, "created %s (%d files); registered in %s\n", d.Dir, len(res.Created), strings.Join(res.Changed, ", "))
	if o.SkipGenerate {
		return res, nil
	}
	dir := filepath.Join(o.Root, d.Dir)
	for _, args := range [][]string{{"generate", "./..."}, {"mod", "tidy"}} {
		fmt.Fprintf(o.Log, "%s: %s %s\n", d.Dir, o.Go, strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, o.Go, args...)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = o.Log, o.Log
		if err := cmd.Run(); err != nil {
			return res, fmt.Errorf("%s: go %s: %w (the files are written: fix and run it again in %s, "+
				"or undo everything with git checkout and git clean)", d.Dir, strings.Join(args, " "), err, d.Dir)
		}
	}
	return res, nil
}

// execute runs the template text with d.
func execute(text string, d data) (string, error) {
	t, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeNew(p string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	_, err = f.Write(content)
	return errors.Join(err, f.Close())
}

// render executes every template of the new module with d, and those of
// its Kubernetes manifests when kube is set. Paths are relative to the
// repository root, drop their .tmpl suffix and have their NAME segments
// replaced by the name; Go files come out gofmt-ed.
func render(d data, kube bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	bases := map[string]string{"templates/subgraph": d.Dir}
	if kube {
		bases["templates/kubernetes"] = path.Join(kubeBase, d.Name)
	}
	for base, dst := range bases {
		err := fs.WalkDir(templates, base, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			raw, err := templates.ReadFile(p)
			if err != nil {
				return err
			}
			content, err := execute(string(raw), d)
			if err != nil {
				return fmt.Errorf("template %s: %w", p, err)
			}
			rel := strings.TrimSuffix(strings.TrimPrefix(p, base+"/"), ".tmpl")
			segs := strings.Split(rel, "/")
			for i, s := range segs {
				segs[i] = strings.ReplaceAll(s, "NAME", d.Name)
			}
			rel = path.Join(dst, path.Join(segs...))
			b := []byte(content)
			if strings.HasSuffix(rel, ".go") {
				if b, err = format.Source(b); err != nil {
					return fmt.Errorf("template %s: gofmt: %w", p, err)
				}
			}
			out[rel] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// The new module starts from a sibling's checksums, a superset of what
	// it needs; `go mod tidy` trims them.
	out[path.Join(d.Dir, "go.sum")] = d.goSum
	return out, nil
}
