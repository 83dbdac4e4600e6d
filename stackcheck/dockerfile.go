package stackcheck

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Stage is one FROM section of a Dockerfile.
type Stage struct {
	From string
	Name string
	// Instructions are the stage's instructions after FROM, continuation
	// lines joined, e.g. {"RUN", "cd x && go build ..."}.
	Instructions []Instruction
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Cmd  string
	Args string
}

// Find returns the arguments of every instruction cmd (e.g. "COPY") in order.
func (s Stage) Find(cmd string) []string {
	var out []string
	for _, in := range s.Instructions {
		if in.Cmd == cmd {
			out = append(out, in.Args)
		}
	}
	return out
}

// Env returns the variables the stage's ENV instructions set, in both
// forms: ENV A=1 B="two" and the older ENV A 1 (in the first form, values
// without spaces: what the shop's Dockerfiles use).
func (s Stage) Env() map[string]string {
	out := map[string]string{}
	for _, args := range s.Find("ENV") {
		first, rest, _ := strings.Cut(args, " ")
		if !strings.Contains(first, "=") {
			out[first] = strings.TrimSpace(rest)
			continue
		}
		for _, kv := range strings.Fields(args) {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

// ParseDockerfile splits a Dockerfile into stages. It understands what the
// stack check needs: comments, line continuations and FROM ... AS name.
func ParseDockerfile(path string) ([]Stage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("parse dockerfile: %w", err)
	}
	defer f.Close()
	var stages []Stage
	var cur strings.Builder
	flush := func() error {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return nil
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		args = strings.TrimSpace(args)
		if cmd == "FROM" {
			st := Stage{From: args}
			if img, name, ok := strings.Cut(args, " "); ok {
				st.From = img
				if as, n, ok := strings.Cut(strings.TrimSpace(name), " "); ok && strings.EqualFold(as, "AS") {
					st.Name = strings.TrimSpace(n)
				}
			}
			stages = append(stages, st)
			return nil
		}
		if len(stages) == 0 {
			if cmd == "ARG" {
				return nil
			}
			return fmt.Errorf("parse dockerfile %s: %s before FROM", path, cmd)
		}
		last := &stages[len(stages)-1]
		last.Instructions = append(last.Instructions, Instruction{Cmd: cmd, Args: args})
		return nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(trimmed)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse dockerfile: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return stages, nil
}
