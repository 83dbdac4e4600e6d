package stackcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"SET": "v", "EMPTY": ""}
	cases := []struct {
		in, want, err string
	}{
		{in: "a ${SET} b", want: "a v b"},
		{in: "$SET/$$SET", want: "v/$SET"},
		{in: "${MISSING:-d} ${EMPTY:-d} ${EMPTY-d} ${MISSING-d}", want: "d d  d"},
		{in: "${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}", want: "alt  alt"},
		{in: "${MISSING}", want: ""},
		{in: "${EMPTY:?must be set}", err: "EMPTY: must be set"},
		{in: "${MISSING?gone}", err: "MISSING: gone"},
		{in: "${EMPTY?fine}", want: ""},
	}
	for _, c := range cases {
		got, err := Interpolate(c.in, env)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Interpolate(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Interpolate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	all, req := Referenced("${A} ${B:-x} ${C:?y} $D $$E")
	if !reflect.DeepEqual(all, map[string]bool{"A": true, "B": true, "C": true, "D": true}) ||
		!reflect.DeepEqual(req, map[string]bool{"A": true, "C": true, "D": true}) {
		t.Errorf("Referenced = %v, %v", all, req)
	}
}

func TestCheckArgs(t *testing.T) {
	t.Parallel()
	flags := map[string]bool{"listen": false, "verbose": true}
	cases := []struct {
		args []string
		bad  int
	}{
		{nil, 0},
		{[]string{"--listen", ":1"}, 0},
		{[]string{"-listen=:1", "--verbose"}, 0},
		{[]string{"--listen"}, 1},
		{[]string{"--port", "1"}, 2},
		{[]string{"serve"}, 1},
	}
	for _, c := range cases {
		if got := CheckArgs(c.args, flags); len(got) != c.bad {
			t.Errorf("CheckArgs(%q) = %q, want %d problem(s)", c.args, got, c.bad)
		}
	}
}

func TestFlagsAndDockerfileParsing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package main

import "flag"

func main() {
	var s string
	flag.StringVar(&s, "supergraph", "", "")
	fs := flag.NewFlagSet("x", flag.ExitOnError)
	_ = fs.Bool("dry-run", false, "")
	_ = fs.Duration("wait", 0, "")
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Flags(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"supergraph": false, "dry-run": true, "wait": false}; !reflect.DeepEqual(got, want) {
		t.Errorf("Flags = %v, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package lib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Flags(dir); err == nil {
		t.Error("Flags accepted a non-main package")
	}

	df := filepath.Join(dir, "Dockerfile")
	text := "# c\nARG X=1\nFROM golang:1.26 AS build\nRUN a \\\n    b\nFROM alpine\nENV A=1 B=\"two\"\nENV C three 3\nCOPY --from=build /o /p\nUSER 1:1\n"
	if err := os.WriteFile(df, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	stages, err := ParseDockerfile(df)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].Name != "build" || stages[0].From != "golang:1.26" ||
		!reflect.DeepEqual(stages[0].Find("RUN"), []string{"a  b"}) || stages[1].Find("USER")[0] != "1:1" {
		t.Errorf("stages = %+v", stages)
	}
	if got, want := stages[1].Env(), map[string]string{"A": "1", "B": "two", "C": "three 3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Env = %v, want %v", got, want)
	}
}
