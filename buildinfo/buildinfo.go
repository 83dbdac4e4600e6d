// Package buildinfo answers `--version`: the version, commit and Go
// version a binary was built from. The build sets Version and Commit with
//
//	go build -ldflags "-X <this package>.Version=$(git describe --tags --always --dirty) -X <this package>.Commit=$(git rev-parse HEAD)"
//
// (`make build` and every Dockerfile do); a plain `go build` or `go run`
// falls back to what the Go toolchain recorded (runtime/debug.ReadBuildInfo:
// the module version, vcs.revision and vcs.modified).
//
// It is a module of its own, with no dependencies, so that every binary
// (the subgraphs, the router, compose and the tools) imports the same
// package without pulling in anything else.
package buildinfo

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Version and Commit are written by the linker (-X) and never at run time:
// -X can only set package-level string variables.
var (
	Version string
	Commit  string
)

// Info is what a binary reports about its build.
type Info struct {
	// Version is the release (git describe), "devel" when unknown.
	Version string
	// Commit is the full revision, "unknown" when not recorded.
	Commit string
	// Modified reports uncommitted changes in the tree built from.
	Modified bool
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// Read returns the linker's values, completed from the build information
// the Go toolchain embeds.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return read(Version, Commit, bi)
}

func read(version, commit string, bi *debug.BuildInfo) Info {
	i := Info{Version: version, Commit: commit, GoVersion: runtime.Version()}
	if bi != nil {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			i.GoVersion = bi.GoVersion
		}
		if commit == "" {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					i.Commit = s.Value
				case "vcs.modified":
					i.Modified = s.Value == "true"
				}
			}
		}
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	return i
}

// String formats the information for `name --version`, on one line, e.g.
// "router v1.4.0-3-g4af1a77 commit 4af1a77c0ffee go1.26.0".
func (i Info) String() string {
	modified := ""
	if i.Modified {
		modified = " (modified)"
	}
	return fmt.Sprintf("version %s commit %s%s %s", i.Version, i.Commit, modified, i.GoVersion)
}

// Print writes "<name> <Info>" and a newline to w: what every binary's
// --version prints.
func Print(w io.Writer, name string) error {
	_, err := fmt.Fprintf(w, "%s %s\n", name, Read())
	if err != nil {
		return fmt.Errorf("print version: %w", err)
	}
	return nil
}

// Requested reports whether args (os.Args[1:]) ask only for the version,
// for a binary configured from the environment that parses no flags.
func Requested(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "-version")
}
