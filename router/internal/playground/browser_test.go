//go:build linux

package playground_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startShop serves a two-subgraph products graph (products and inventory)
// behind a router with the playground, and returns the router URL, the
// products subgraph for header assertions and whether a GraphQL request
// carried the apollo-require-preflight header.
func startShop(t *testing.T) (string, *fedtest.Subgraph, *atomic.Bool) {
	t.Helper()
	products := fedtest.Table{
		{"_id": "p1", "name": "chocolate", "price": 20},
		{"_id": "p2", "name": "coffee", "price": 450},
	}
	stock := fedtest.Table{{"_id": "p1", "quantity": 10}, {"_id": "p2", "quantity": 3}}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	psg, err := fedtest.NewSubgraph("products", read("products.graphql"), fedtest.Resolvers{
		Root: map[string]map[string]any{"Query": {"products": products.All()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	isg, err := fedtest.NewSubgraph("inventory", read("inventory.graphql"), fedtest.Resolvers{
		Entities: map[string]fedtest.EntityFunc{"Product": stock.Lookup("_id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	sdl := read("supergraph.graphql")
	for name, sg := range map[string]*fedtest.Subgraph{"products": psg, "inventory": isg} {
		srv := httptest.NewServer(sg)
		t.Cleanup(srv.Close)
		sdl = strings.ReplaceAll(sdl, "http://"+name+".invalid/graphql", srv.URL+"/graphql")
	}
	cfg := app.DefaultConfig() // CSRF prevention is on: the playground must pass it
	cfg.QueryPlan.Enabled = true
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl))
	if err != nil {
		t.Fatal(err)
	}
	var preflight atomic.Bool
	router := r.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/graphql" && req.Header.Get("Apollo-Require-Preflight") != "" {
			preflight.Store(true)
		}
		router.ServeHTTP(w, req)
	}))
	t.Cleanup(func() { srv.Close(); r.Close() })
	return srv.URL, psg, &preflight
}

// startBrowser launches headless chromium in its own process group with a
// profile directory the test owns, and returns its context. Cleanup closes
// the browser, waits until every process of the group (zygote, renderers,
// GPU and network services) has exited and only then removes the profile,
// retrying while the file system catches up: chromium's helpers outlive the
// main process and kept writing into the directory while t.TempDir's
// cleanup removed it.
func startBrowser(t *testing.T, chrome string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "router-playground-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		cmd *exec.Cmd
	)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
		chromedp.ModifyCmdFunc(func(c *exec.Cmd) {
			// A group of its own lets cleanup reach the helpers too; the
			// death signal keeps a killed test from leaking the browser.
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			mu.Lock()
			cmd = c
			mu.Unlock()
		}),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Ask the browser to close, then cancel: cancelAlloc waits for the
		// main process.
		closeCtx, cancel := context.WithTimeout(bctx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancel()
		cancelBrowser()
		cancelAlloc()
		mu.Lock()
		c := cmd
		mu.Unlock()
		if c != nil && c.Process != nil {
			waitGroupGone(c.Process.Pid, 10*time.Second)
		}
		if err := removeAllRetry(profile, 10*time.Second); err != nil {
			t.Logf("chromium profile %s left behind: %v", profile, err)
		}
	})
	// The first Run starts the browser; it must get the long-lived context,
	// since the browser dies with the context that started it.
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// waitGroupGone kills what is left of process group pgid and waits until
// no process of it exists (or until timeout: zombies a non-reaping init
// keeps around hold no files).
func waitGroupGone(pgid int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		if err := syscall.Kill(-pgid, syscall.SIGKILL); errors.Is(err, syscall.ESRCH) || time.Now().After(deadline) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// removeAllRetry removes dir, retrying while files still appear in it.
func removeAllRetry(dir string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := os.RemoveAll(dir)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPlaygroundInChromium drives the playground as a user does: it types
// an operation key by key, accepts a completion, runs it with Ctrl+Enter
// and reads the result and the query plan, sees a validation error, and
// browses the docs explorer. With PLAYGROUND_SCREENSHOTS=dir it saves the
// screenshots of docs/playground.md there.
func TestPlaygroundInChromium(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no chromium binary on PATH (apt-get install -y chromium); skipping the browser test")
	}
	url, products, preflight := startShop(t)
	bctx := startBrowser(t, chrome)
	// The whole drive is bounded; the browser itself lives until cleanup.
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	shots := os.Getenv("PLAYGROUND_SCREENSHOTS")
	screenshot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if shots == "" {
				return nil
			}
			var png []byte
			if err := chromedp.CaptureScreenshot(&png).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, "playground-"+name+".png"), png, 0o644)
		})
	}
	poll := func(expr string) chromedp.Action {
		return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(20*time.Second))
	}

	var completion string
	err := chromedp.Run(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible("#run", chromedp.ByID),
		// Introspection answered: completion and validation know the schema.
		poll(`document.getElementById("schema-state").className === "ok"`),
		chromedp.SetValue("#headers", `{"Authorization": "Bearer playground-token", "x-api-key": "playground-key"}`, chromedp.ByID),
		chromedp.Evaluate(`(() => { const q = document.getElementById("query"); q.focus(); q.select(); document.execCommand("delete"); })()`, nil),
		chromedp.SendKeys("#query", "query Products {\nproducts {\n_id\nna", chromedp.ByID),
		poll(`!document.getElementById("completion").hidden`),
		chromedp.Text("#completion", &completion, chromedp.ByID),
		screenshot("completion"),
	)
	if err != nil {
		t.Fatalf("type with completion: %v", err)
	}
	if !strings.Contains(completion, "name") || !strings.Contains(completion, "String!") {
		t.Fatalf("completion list %q lacks name: String!", completion)
	}

	var query, status, result, plan string
	err = chromedp.Run(ctx,
		chromedp.KeyEvent(kb.Enter), // accepts the first completion, name
		chromedp.SendKeys("#query", "\nprice\nquantity\n}\n}", chromedp.ByID),
		chromedp.Value("#query", &query, chromedp.ByID),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierCtrl)),
		poll(`document.getElementById("status").textContent.startsWith("HTTP")`),
		chromedp.Text("#status", &status, chromedp.ByID),
		chromedp.Text("#result", &result, chromedp.ByID),
		chromedp.Text("#plan", &plan, chromedp.ByID),
		screenshot("plan"),
	)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(query, "    name\n    price\n    quantity\n  }\n}") {
		t.Fatalf("the accepted completion did not insert name:\n%s", query)
	}
	if !strings.HasPrefix(status, "HTTP 200") {
		t.Fatalf("status %q, result %s", status, result)
	}
	var res struct {
		Data struct {
			Products []struct {
				ID       string `json:"_id"`
				Name     string `json:"name"`
				Price    int    `json:"price"`
				Quantity int    `json:"quantity"`
			} `json:"products"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(result), &res); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, result)
	}
	if len(res.Errors) > 0 || len(res.Data.Products) != 2 || res.Data.Products[0].Name != "chocolate" ||
		res.Data.Products[0].Price != 20 || res.Data.Products[0].Quantity != 10 {
		t.Fatalf("unexpected result %s", result)
	}
	if !strings.Contains(plan, "inventory") || !strings.Contains(plan, "products") {
		t.Fatalf("query plan pane %q does not show both subgraphs", plan)
	}
	var sawAuth bool
	for _, r := range products.Requests() {
		if r.Header.Get("Authorization") == "Bearer playground-token" && r.Header.Get("X-Api-Key") == "playground-key" {
			sawAuth = true
		}
	}
	if !sawAuth {
		t.Fatal("the products subgraph did not receive the Authorization and x-api-key headers set in the playground")
	}
	if !preflight.Load() {
		t.Fatal("the playground did not send apollo-require-preflight")
	}

	var diagnostics, docs, history string
	err = chromedp.Run(ctx,
		chromedp.SendKeys("#query", "\n\n{ products { weight } }", chromedp.ByID),
		poll(`document.getElementById("diagnostics").textContent.includes("weight")`),
		chromedp.Text("#diagnostics", &diagnostics, chromedp.ByID),
		// Hovering the underlined field shows its message.
		chromedp.ActionFunc(func(ctx context.Context) error {
			var box []float64
			if err := chromedp.Evaluate(`(() => { const s = document.querySelector("#highlight .squiggle").getBoundingClientRect(); return [s.left + s.width / 2, s.top + s.height / 2]; })()`, &box).Do(ctx); err != nil {
				return err
			}
			return chromedp.MouseEvent(input.MouseMoved, box[0], box[1]).Do(ctx)
		}),
		poll(`document.getElementById("query").title.includes("weight")`),
		chromedp.Click("#history-toggle", chromedp.ByID),
		chromedp.WaitVisible(".history-item", chromedp.ByQuery),
		chromedp.Text("#history-list", &history, chromedp.ByID),
		chromedp.Click("#docs-toggle", chromedp.ByID),
		chromedp.Click(`#docs-body a[data-type="Product"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#docs-body a[data-field="quantity"]`, chromedp.ByQuery),
		chromedp.Text("#docs-body", &docs, chromedp.ByID),
		screenshot("docs"),
	)
	if err != nil {
		t.Fatalf("diagnostics, history and docs: %v", err)
	}
	if !strings.Contains(diagnostics, `Cannot query field "weight" on type "Product".`) {
		t.Fatalf("diagnostics %q", diagnostics)
	}
	if !strings.Contains(history, "Products") {
		t.Fatalf("history %q lacks the run operation", history)
	}
	if !strings.Contains(docs, "price") || !strings.Contains(docs, "Int!") {
		t.Fatalf("docs explorer shows %q for Product", docs)
	}
	t.Logf("playground ran %s: %s", "Products", status)
}
