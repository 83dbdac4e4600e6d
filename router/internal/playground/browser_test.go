package playground_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// seedProducts is the seed's Products operation, verbatim.
const seedProducts = "query Products {\nproducts {\n_id\nname\nprice\nquantity\n}\n}"

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startShop serves a two-subgraph products graph (products and inventory)
// behind a router with the playground, and returns the router URL and the
// products subgraph for header assertions.
func startShop(t *testing.T) (string, *fedtest.Subgraph) {
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
	cfg := app.DefaultConfig()
	cfg.CSRF.Enabled = true // the playground must pass the CSRF rule
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() { srv.Close(); r.Close() })
	return srv.URL, psg
}

func TestPlaygroundInChromium(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no chromium binary on PATH (apt-get install -y chromium); skipping the browser test")
	}
	url, products := startShop(t)

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
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	var status, result string
	var shot []byte
	err := chromedp.Run(bctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible("#run", chromedp.ByID),
		chromedp.SetValue("#query", seedProducts, chromedp.ByID),
		chromedp.SetValue("#auth", "Bearer playground-token", chromedp.ByID),
		chromedp.SetValue("#apikey", "playground-key", chromedp.ByID),
		chromedp.Click("#run", chromedp.ByID),
		chromedp.Poll(`document.getElementById("status").textContent.startsWith("HTTP")`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text("#status", &status, chromedp.ByID),
		chromedp.Text("#result", &result, chromedp.ByID),
		chromedp.FullScreenshot(&shot, 100), // quality 100 means PNG,
	)
	if err != nil {
		t.Fatalf("drive chromium: %v", err)
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
	var sawAuth bool
	for _, r := range products.Requests() {
		if r.Header.Get("Authorization") == "Bearer playground-token" && r.Header.Get("X-Api-Key") == "playground-key" {
			sawAuth = true
		}
	}
	if !sawAuth {
		t.Fatal("the products subgraph did not receive the Authorization and x-api-key headers set in the playground")
	}
	if !bytes.HasPrefix(shot, []byte{0xff, 0xd8}) && !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not an image (%d bytes)", len(shot))
	}
	path := filepath.Join(os.TempDir(), "router-playground.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("playground ran the seed Products query: %s; screenshot %s (%d bytes)", status, path, len(shot))
}
