package stack_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/devstack/stack"
)

// firstSessionBlocks returns the ```sh blocks of the README's "First
// session" section, in order.
func firstSessionBlocks(t *testing.T, readme string) []string {
	t.Helper()
	var blocks []string
	var cur *strings.Builder
	in := false
	sc := bufio.NewScanner(strings.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## First session"
		case !in:
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatal("README: a ```sh block of the first session is not closed")
	}
	return blocks
}

// runFirstSession runs the blocks in order in one bash process with
// set -euo pipefail, against st, and returns each block's output (stdout
// and stderr together).
func runFirstSession(t *testing.T, st *stack.Stack, blocks []string) ([]string, error) {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for i, b := range blocks {
		fmt.Fprintf(&script, "printf '\\n@@block %d\\n'\n%s", i, b)
	}
	script.WriteString("printf '\\n@@end\\n'\n")
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = t.TempDir() // no .data: the blocks must take ADMIN_KEY
	cmd.Env = append(os.Environ(), "ROUTER="+st.RouterURL, "ADMIN_KEY="+st.AdminKey)
	out, err := cmd.CombinedOutput()
	parts := regexp.MustCompile(`\n@@(block \d+|end)\n`).Split(string(out), -1)
	return parts[1:], err
}

// TestReadmeFirstSession runs the README's first session, every ```sh
// block of it as a newcomer pastes them into one shell, against a fresh
// stack: each block must succeed without a GraphQL error, and the history
// at the end must show the order the checkout placed, confirmed.
func TestReadmeFirstSession(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "sed", "tee"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's first session needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := firstSessionBlocks(t, string(readme))
	if len(blocks) < 5 {
		t.Fatalf("README first session: %d sh blocks, want setup, login, products, cart and checkout, history", len(blocks))
	}
	if !strings.Contains(blocks[0], "ROUTER=${ROUTER:-") {
		t.Fatalf("the first block must set ROUTER=${ROUTER:-...} so this test can point the session at its stack:\n%s", blocks[0])
	}
	st := startStack(t)
	outs, err := runFirstSession(t, st, blocks)
	if err != nil || len(outs) != len(blocks)+1 {
		t.Fatalf("first session stopped (%v) after block %d of %d:\n%s", err, len(outs)-1, len(blocks), strings.Join(outs, "\n---\n"))
	}
	for i, out := range outs[1:len(blocks)] {
		if problem := sessionProblem(out); problem != "" {
			t.Errorf("block %d: %s\n%s\nanswered:\n%s", i+1, problem, blocks[i+1], out)
		}
	}
	all := strings.Join(outs, "\n")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`"staffCreate":\{"user":\{"username":"grace","scopes":\["MANAGE_PRODUCTS"\]\}`),
		regexp.MustCompile(`"productsConnection":\{"totalCount":1,.*"variants":\[\{"sku":"P-[^"]+","price":\{"amount":"900"\},"quantity":10\},\{"sku":"OOLONG-\d+","price":\{"amount":"2400"\},"quantity":5\}\]`),
		regexp.MustCompile(`"orderCreate":\{"order":\{"_id":"[^"]+","status":"CONFIRMED","totalMoney":\{"amount":"2400","currency":"USD"\}`),
	} {
		if !want.MatchString(all) {
			t.Errorf("the session's answers lack %s:\n%s", want, all)
		}
	}
	var orderID string
	for _, out := range outs {
		if m := regexp.MustCompile(`"checkout":\{"_id":"([^"]+)"`).FindStringSubmatch(out); m != nil {
			orderID = m[1]
		}
	}
	history := outs[len(blocks)-1]
	if orderID == "" || !strings.Contains(history, `"_id":"`+orderID+`","status":"CONFIRMED"`) {
		t.Fatalf("the history does not show the checkout's order %q confirmed:\n%s", orderID, history)
	}
}

// sessionProblem reads the JSON answers of one block: each must carry data,
// no top-level errors, and every typed payload's errors list must be empty.
func sessionProblem(out string) string {
	answers := 0
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var resp map[string]any
		if err := json.Unmarshal([]byte(line), &resp); err != nil {
			return "an answer is not JSON: " + err.Error()
		}
		answers++
		if _, ok := resp["errors"]; ok {
			return "a GraphQL error"
		}
		if resp["data"] == nil {
			return "no data"
		}
		if path := nonEmptyErrors(resp["data"], "data"); path != "" {
			return "typed errors at " + path
		}
	}
	if answers == 0 {
		return "no answer"
	}
	return ""
}

// nonEmptyErrors finds a non-empty "errors" list below v (a payload's typed
// errors) and returns its path.
func nonEmptyErrors(v any, path string) string {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if list, ok := c.([]any); ok && k == "errors" && len(list) > 0 {
				return path + "." + k
			}
			if p := nonEmptyErrors(c, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, c := range v {
			if p := nonEmptyErrors(c, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}
