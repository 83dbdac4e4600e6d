package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopsupergraph/shop/compose/check"
)

// report is everything `compose check` found, printed in one of three
// formats.
type report struct {
	Supergraph string
	Base       string
	Stale      bool
	Breaking   []check.Change
	Dangerous  []check.Change
	// Operations is set with --operations: breaking changes are then
	// judged by whether a listed operation uses them.
	Operations     *check.OperationReport
	OperationCount int
}

func (r report) failed() bool {
	if r.Stale {
		return true
	}
	if r.Operations != nil {
		return r.Operations.Failed()
	}
	return len(r.Breaking) > 0
}

func (r report) writeText(stdout, stderr io.Writer) error {
	if r.Operations == nil {
		if len(r.Breaking) > 0 {
			fmt.Fprintf(stderr, "%d breaking change(s) against %s:\n", len(r.Breaking), r.Base)
			for _, b := range r.Breaking {
				fmt.Fprintf(stderr, "  BREAKING %s\n", b)
			}
		}
		for _, d := range r.Dangerous {
			fmt.Fprintf(stderr, "  DANGEROUS %s\n", d)
		}
	} else {
		o := r.Operations
		if len(o.Breaking) > 0 {
			fmt.Fprintf(stderr, "%d breaking change(s) against %s reach listed operations:\n", len(o.Breaking), r.Base)
			for _, b := range o.Breaking {
				fmt.Fprintf(stderr, "  BREAKING %s\n", b.Change)
				for _, op := range b.Operations {
					fmt.Fprintf(stderr, "    breaks %s\n", op)
				}
			}
		}
		for _, s := range o.Safe {
			fmt.Fprintf(stderr, "  SAFE %s (no listed operation uses it)\n", s)
		}
		for _, d := range o.Dangerous {
			fmt.Fprintf(stderr, "  DANGEROUS %s\n", d.Change)
			for _, op := range d.Operations {
				fmt.Fprintf(stderr, "    reaches %s\n", op)
			}
		}
		for _, b := range o.Broken {
			fmt.Fprintf(stderr, "  BROKEN_OPERATION %s (%s): %s\n", b.Name, b.Source, strings.Join(b.Errors, "; "))
		}
		for _, b := range o.Stale {
			fmt.Fprintf(stderr, "  STALE_OPERATION %s (%s) does not validate against %s either: %s\n", b.Name, b.Source, r.Base, strings.Join(b.Errors, "; "))
		}
	}
	if r.Stale {
		fmt.Fprintf(stderr, "%s is stale: it differs from a fresh composition; run `make compose` and commit the result\n", r.Supergraph)
	}
	if r.failed() {
		return nil
	}
	if r.Operations != nil {
		fmt.Fprintf(stdout, "%s is up to date and compatible with %d listed operation document(s)\n", r.Supergraph, r.OperationCount)
		return nil
	}
	fmt.Fprintf(stdout, "%s is up to date and compatible\n", r.Supergraph)
	return nil
}

// jsonReport is the --format json document; its field names are part of
// the command's interface.
type jsonReport struct {
	OK         bool            `json:"ok"`
	Supergraph string          `json:"supergraph"`
	Base       string          `json:"base"`
	Stale      bool            `json:"stale"`
	Breaking   []jsonChange    `json:"breaking"`
	Safe       []jsonChange    `json:"safe"`
	Dangerous  []jsonChange    `json:"dangerous"`
	Operations *jsonOperations `json:"operations,omitempty"`
	Counts     map[string]int  `json:"counts"`
}

type jsonChange struct {
	Code       string   `json:"code"`
	Coordinate string   `json:"coordinate"`
	Message    string   `json:"message"`
	Operations []string `json:"operations,omitempty"`
}

type jsonOperations struct {
	Checked int            `json:"checked"`
	Broken  []check.Broken `json:"broken"`
	Stale   []check.Broken `json:"stale"`
}

func (r report) writeJSON(w io.Writer) error {
	out := jsonReport{OK: !r.failed(), Supergraph: r.Supergraph, Base: r.Base, Stale: r.Stale,
		Breaking: []jsonChange{}, Safe: []jsonChange{}, Dangerous: []jsonChange{}}
	conv := func(c check.Change, ops []string) jsonChange {
		return jsonChange{Code: c.Code, Coordinate: c.Coordinate, Message: c.Message, Operations: ops}
	}
	if o := r.Operations; o != nil {
		for _, b := range o.Breaking {
			out.Breaking = append(out.Breaking, conv(b.Change, b.Operations))
		}
		for _, s := range o.Safe {
			out.Safe = append(out.Safe, conv(s, nil))
		}
		for _, d := range o.Dangerous {
			out.Dangerous = append(out.Dangerous, conv(d.Change, d.Operations))
		}
		out.Operations = &jsonOperations{Checked: r.OperationCount, Broken: nonNil(o.Broken), Stale: nonNil(o.Stale)}
	} else {
		for _, b := range r.Breaking {
			out.Breaking = append(out.Breaking, conv(b, nil))
		}
		for _, d := range r.Dangerous {
			out.Dangerous = append(out.Dangerous, conv(d, nil))
		}
	}
	out.Counts = map[string]int{"breaking": len(out.Breaking), "safe": len(out.Safe), "dangerous": len(out.Dangerous)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil(b []check.Broken) []check.Broken {
	if b == nil {
		return []check.Broken{}
	}
	return b
}

// writeGitHub prints GitHub Actions workflow commands: errors and warnings
// appear as annotations on the run (and on the file for operations).
func (r report) writeGitHub(w io.Writer) error {
	line := func(level, title, file, msg string) {
		props := "title=" + ghEscapeProp(title)
		if file != "" {
			props = "file=" + ghEscapeProp(file) + "," + props
		}
		fmt.Fprintf(w, "::%s %s::%s\n", level, props, ghEscapeData(msg))
	}
	if o := r.Operations; o != nil {
		for _, b := range o.Breaking {
			line("error", "BREAKING "+b.Code, "", b.Coordinate+": "+b.Message+"; breaks "+strings.Join(b.Operations, ", "))
		}
		for _, s := range o.Safe {
			line("notice", "SAFE "+s.Code, "", s.Coordinate+": "+s.Message+" (no listed operation uses it)")
		}
		for _, d := range o.Dangerous {
			msg := d.Coordinate + ": " + d.Message
			if len(d.Operations) > 0 {
				msg += "; reaches " + strings.Join(d.Operations, ", ")
			}
			line("warning", "DANGEROUS "+d.Code, "", msg)
		}
		for _, b := range o.Broken {
			line("error", "BROKEN_OPERATION "+b.Name, fileOf(b.Source), strings.Join(b.Errors, "; "))
		}
		for _, b := range o.Stale {
			line("warning", "STALE_OPERATION "+b.Name, fileOf(b.Source), "does not validate against the base supergraph either: "+strings.Join(b.Errors, "; "))
		}
	} else {
		for _, b := range r.Breaking {
			line("error", "BREAKING "+b.Code, "", b.Coordinate+": "+b.Message)
		}
		for _, d := range r.Dangerous {
			line("warning", "DANGEROUS "+d.Code, "", d.Coordinate+": "+d.Message)
		}
	}
	if r.Stale {
		line("error", "STALE_SUPERGRAPH", r.Supergraph, "differs from a fresh composition; run `make compose` and commit the result")
	}
	return nil
}

// fileOf strips a manifest entry's #id so the annotation names the file.
func fileOf(source string) string {
	if i := strings.LastIndex(source, "#"); i >= 0 {
		return source[:i]
	}
	return source
}

func ghEscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghEscapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
