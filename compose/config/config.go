// Package config reads supergraph.yaml, the composition config in the format
// Apollo's rover uses (federation_version, subgraphs with routing_url and a
// schema from a file or a running subgraph), and loads each subgraph's SDL.
package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shopsupergraph/shop/compose"
	"gopkg.in/yaml.v3"
)

// Config is a parsed supergraph.yaml.
type Config struct {
	FederationVersion string              `yaml:"federation_version"`
	Subgraphs         map[string]Subgraph `yaml:"subgraphs"`
	// Dir is the config file's directory: relative schema paths start there.
	Dir string `yaml:"-"`
}

// Subgraph is one entry under `subgraphs:`.
type Subgraph struct {
	RoutingURL string `yaml:"routing_url"`
	Schema     Schema `yaml:"schema"`
}

// Schema says where a subgraph's SDL comes from, as in rover: a file, the
// SDL inline, or a running subgraph introspected through `_service { sdl }`.
// rover's GraphOS sources (graphref with subgraph) are recognised and
// refused: composing offline cannot reach GraphOS.
type Schema struct {
	File                 string            `yaml:"file"`
	SDL                  string            `yaml:"sdl"`
	SubgraphURL          string            `yaml:"subgraph_url"`
	IntrospectionHeaders map[string]string `yaml:"introspection_headers"`
	GraphRef             string            `yaml:"graphref"`
	Subgraph             string            `yaml:"subgraph"`
}

// sources counts how many schema sources an entry sets.
func (s Schema) sources() int {
	n := 0
	for _, v := range []string{s.File, s.SDL, s.SubgraphURL} {
		if v != "" {
			n++
		}
	}
	return n
}

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	c.Dir = filepath.Dir(path)
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	return &c, nil
}

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	v := strings.TrimPrefix(c.FederationVersion, "=")
	if v != "" && v != "2" && !strings.HasPrefix(v, "2.") {
		errs = append(errs, fmt.Errorf("federation_version %q: only Federation 2 composition is supported", c.FederationVersion))
	}
	if len(c.Subgraphs) == 0 {
		errs = append(errs, errors.New("subgraphs: at least one subgraph is required"))
	}
	for _, name := range c.names() {
		s := c.Subgraphs[name]
		if s.Schema.GraphRef != "" || s.Schema.Subgraph != "" {
			errs = append(errs, fmt.Errorf("subgraphs.%s.schema: graphref/subgraph sources live in Apollo GraphOS, which offline composition cannot read; use file, sdl or subgraph_url", name))
			continue
		}
		// As in rover, routing_url may be left out when the schema is
		// introspected: the subgraph's own URL is then its routing URL.
		if s.RoutingURL == "" && s.Schema.SubgraphURL == "" {
			errs = append(errs, fmt.Errorf("subgraphs.%s.routing_url is required (it may be left out only with schema.subgraph_url)", name))
		}
		if s.Schema.sources() != 1 {
			errs = append(errs, fmt.Errorf("subgraphs.%s.schema: set exactly one of file, sdl or subgraph_url", name))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) names() []string {
	names := make([]string, 0, len(c.Subgraphs))
	for n := range c.Subgraphs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Sources loads every subgraph's SDL, reporting all failures together.
func (c *Config) Sources(ctx context.Context, client *http.Client) ([]compose.Source, error) {
	var out []compose.Source
	var errs []error
	for _, name := range c.names() {
		s := c.Subgraphs[name]
		var sdl string
		var err error
		if s.Schema.File != "" {
			path := s.Schema.File
			if !filepath.IsAbs(path) {
				path = filepath.Join(c.Dir, path)
			}
			var b []byte
			b, err = os.ReadFile(path)
			sdl = string(b)
		} else if s.Schema.SDL != "" {
			sdl = s.Schema.SDL
		} else {
			sdl, err = Introspect(ctx, client, s.Schema.SubgraphURL, s.Schema.IntrospectionHeaders)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("subgraph %s: %w", name, err))
			continue
		}
		url := s.RoutingURL
		if url == "" {
			url = s.Schema.SubgraphURL
		}
		out = append(out, compose.Source{Name: name, URL: url, SDL: sdl})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load subgraphs: %w", err)
	}
	return out, nil
}

// maxSDL bounds the introspection response we accept.
const maxSDL = 16 << 20

// Introspect fetches a running subgraph's SDL with `{ _service { sdl } }`.
func Introspect(ctx context.Context, client *http.Client, url string, headers map[string]string) (string, error) {
	body, _ := json.Marshal(map[string]string{"query": "query SubgraphIntrospectQuery { _service { sdl } }"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("introspect: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("introspect %s: %w", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxSDL))
	if err != nil {
		return "", fmt.Errorf("introspect %s: read: %w", url, err)
	}
	var out struct {
		Data *struct {
			Service *struct {
				SDL *string `json:"sdl"`
			} `json:"_service"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("introspect %s: HTTP %d, not a GraphQL response: %w", url, resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		msgs := make([]string, len(out.Errors))
		for i, e := range out.Errors {
			msgs[i] = e.Message
		}
		return "", fmt.Errorf("introspect %s: %s", url, strings.Join(msgs, "; "))
	}
	if out.Data == nil || out.Data.Service == nil || out.Data.Service.SDL == nil {
		return "", fmt.Errorf("introspect %s: HTTP %d: response has no _service.sdl (is it a federation subgraph?)", url, resp.StatusCode)
	}
	return *out.Data.Service.SDL, nil
}
