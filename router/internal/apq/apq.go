// Package apq implements automatic persisted queries (a client sends the
// SHA-256 of its query and the full text only when the router does not know
// it yet) and persisted operations (a manifest of approved operations; in
// safelist mode the router runs nothing else).
package apq

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// Extension codes of the persisted-query protocol; the first two are the
// ones Apollo clients react to (by resending the full query or giving up).
const (
	CodeNotFound      = "PERSISTED_QUERY_NOT_FOUND"
	CodeNotSupported  = "PERSISTED_QUERY_NOT_SUPPORTED"
	CodeHashMismatch  = "PERSISTED_QUERY_HASH_MISMATCH"
	CodeBadVersion    = "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"
	CodeNotInManifest = "PERSISTED_QUERY_NOT_IN_LIST"
)

// Config selects the persisted-query features.
type Config struct {
	// APQ lets clients register queries by hash at run time.
	APQ bool
	// CacheSize bounds the registered APQ queries (default 1000).
	CacheSize int
	// Manifest is the path of an Apollo persisted-query manifest; its
	// operations can be run by id (the hash) without sending their text.
	Manifest string
	// Safelist refuses every operation that is not in the manifest.
	Safelist bool
}

// Enabled reports whether any persisted-query feature is on.
func (c Config) Enabled() bool { return c.APQ || c.Manifest != "" || c.Safelist }

// Store resolves persisted queries; it is safe for concurrent use.
type Store struct {
	cfg      Config
	manifest map[string]string // id -> body
	bodies   map[string]bool   // sha256(body) of manifest bodies
	mu       sync.Mutex
	apq      map[string]string
	order    []string // insertion order for eviction
}

// New loads the manifest (if any) and returns a store.
func New(cfg Config) (*Store, error) {
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 1000
	}
	s := &Store{cfg: cfg, manifest: map[string]string{}, bodies: map[string]bool{}, apq: map[string]string{}}
	if cfg.Manifest != "" {
		if err := s.load(cfg.Manifest); err != nil {
			return nil, fmt.Errorf("persisted queries: %w", err)
		}
	} else if cfg.Safelist {
		return nil, fmt.Errorf("persisted queries: safelist needs a manifest")
	}
	return s, nil
}

// manifestFile is Apollo's persisted-query manifest format.
type manifestFile struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Body string `json:"body"`
		Name string `json:"name"`
	} `json:"operations"`
}

func (s *Store) load(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	var m manifestFile
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("parse manifest %s: %w", path, err)
	}
	if m.Format != "apollo-persisted-query-manifest" || m.Version != 1 {
		return fmt.Errorf("manifest %s: want format apollo-persisted-query-manifest version 1, got %q version %d", path, m.Format, m.Version)
	}
	for i, op := range m.Operations {
		if op.ID == "" || strings.TrimSpace(op.Body) == "" {
			return fmt.Errorf("manifest %s: operation %d needs an id and a body", path, i)
		}
		s.manifest[op.ID] = op.Body
		s.bodies[Hash(op.Body)] = true
	}
	return nil
}

// Hash is the persisted-query id of a query: hex SHA-256 of its exact text.
func Hash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

type extensions struct {
	PersistedQuery *struct {
		Version    int    `json:"version"`
		SHA256Hash string `json:"sha256Hash"`
	} `json:"persistedQuery"`
}

// Resolve completes req from its extensions: it fills in the query of a
// known hash, registers a new APQ query, and in safelist mode refuses
// anything not in the manifest. Errors are *engine.RequestError.
func (s *Store) Resolve(req *engine.Request, ext json.RawMessage) error {
	var hash string
	if len(ext) > 0 {
		var e extensions
		if err := json.Unmarshal(ext, &e); err != nil {
			return refuse(engine.KindBadRequest, "BAD_REQUEST", "extensions must be a JSON object")
		}
		if pq := e.PersistedQuery; pq != nil {
			if pq.Version != 1 {
				return refuse(engine.KindBadRequest, CodeBadVersion, "persisted query version %d is not supported; use 1", pq.Version)
			}
			hash = strings.ToLower(pq.SHA256Hash)
		}
	}
	if hash == "" {
		if s.cfg.Safelist && !s.bodies[Hash(req.Query)] {
			return refuse(engine.KindValidation, CodeNotInManifest, "the operation is not in the persisted operations manifest")
		}
		return nil
	}
	if req.Query == "" {
		if body, ok := s.manifest[hash]; ok {
			req.Query = body
			return nil
		}
		if !s.cfg.APQ {
			if s.cfg.Safelist {
				return refuse(engine.KindValidation, CodeNotInManifest, "the operation is not in the persisted operations manifest")
			}
			return refuse(engine.KindBadRequest, CodeNotSupported, "PersistedQueryNotSupported")
		}
		s.mu.Lock()
		body, ok := s.apq[hash]
		s.mu.Unlock()
		if !ok {
			return refuse(engine.KindBadRequest, CodeNotFound, "PersistedQueryNotFound")
		}
		req.Query = body
		return nil
	}
	if Hash(req.Query) != hash {
		return refuse(engine.KindBadRequest, CodeHashMismatch, "the query does not match its sha256Hash")
	}
	if s.cfg.Safelist {
		if !s.bodies[hash] {
			return refuse(engine.KindValidation, CodeNotInManifest, "the operation is not in the persisted operations manifest")
		}
		return nil
	}
	if !s.cfg.APQ {
		if _, ok := s.manifest[hash]; ok {
			return nil
		}
		return refuse(engine.KindBadRequest, CodeNotSupported, "PersistedQueryNotSupported")
	}
	s.register(hash, req.Query)
	return nil
}

func (s *Store) register(hash, query string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apq[hash]; ok {
		return
	}
	s.apq[hash] = query
	s.order = append(s.order, hash)
	for len(s.order) > s.cfg.CacheSize {
		delete(s.apq, s.order[0])
		s.order = s.order[1:]
	}
}

func refuse(kind engine.ErrorKind, code, format string, args ...any) *engine.RequestError {
	return &engine.RequestError{Kind: kind, Errors: []engine.GraphQLError{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code},
	}}}
}
