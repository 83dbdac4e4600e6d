// Package config reads service configuration from the environment and an
// optional .env file, collecting every problem instead of stopping at the
// first, so an operator fixes a broken deployment in one round.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Env reads typed values from a lookup function and records every problem.
// It is a value type on purpose: each binary builds one while loading its
// config struct and then calls Err once.
type Env struct {
	lookup   func(string) (string, bool)
	problems []error
}

// FromOS returns an Env over the process environment, with values from the
// .env file at dotenvPath (if it exists) filling in what the environment lacks.
// A malformed .env file is reported through Err.
func FromOS(dotenvPath string) *Env {
	e := &Env{}
	file := map[string]string{}
	if dotenvPath != "" {
		m, err := ReadDotEnv(dotenvPath)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			e.problems = append(e.problems, err)
		}
		file = m
	}
	e.lookup = func(k string) (string, bool) {
		if v, ok := os.LookupEnv(k); ok {
			return v, true
		}
		v, ok := file[k]
		return v, ok
	}
	return e
}

// FromMap returns an Env over a fixed map; tests and the embedded stack use it.
func FromMap(m map[string]string) *Env {
	return &Env{lookup: func(k string) (string, bool) { v, ok := m[k]; return v, ok }}
}

// Lookup returns the raw value of key.
func (e *Env) Lookup(key string) (string, bool) {
	v, ok := e.lookup(key)
	if !ok {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// String returns key's value or def when unset or empty.
func (e *Env) String(key, def string) string {
	if v, ok := e.Lookup(key); ok && v != "" {
		return v
	}
	return def
}

// Required returns key's value and records a problem when it is missing.
func (e *Env) Required(key string) string {
	v, ok := e.Lookup(key)
	if !ok || v == "" {
		e.problems = append(e.problems, fmt.Errorf("%s is required", key))
	}
	return v
}

// Int returns key's value as an int, or def.
func (e *Env) Int(key string, def int) int {
	v, ok := e.Lookup(key)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.problems = append(e.problems, fmt.Errorf("%s: %q is not an integer", key, v))
		return def
	}
	return n
}

// Bool returns key's value as a bool, or def.
func (e *Env) Bool(key string, def bool) bool {
	v, ok := e.Lookup(key)
	if !ok || v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.problems = append(e.problems, fmt.Errorf("%s: %q is not a boolean", key, v))
		return def
	}
	return b
}

// Duration returns key's value as a time.Duration ("15m", "2s"), or def.
func (e *Env) Duration(key string, def time.Duration) time.Duration {
	v, ok := e.Lookup(key)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.problems = append(e.problems, fmt.Errorf("%s: %q is not a duration", key, v))
		return def
	}
	return d
}

// List returns key's comma-separated value as a slice, or def.
func (e *Env) List(key string, def []string) []string {
	v, ok := e.Lookup(key)
	if !ok || v == "" {
		return def
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// MaxSecretFileBytes bounds a file read by Secret: secrets and PEM keys
// are a few kilobytes, and a path pointing at something else by mistake
// must not be read whole into memory.
const MaxSecretFileBytes = 64 << 10

// Secret returns the secret named key: the value of key, or the content of
// the file named by key+"_FILE" (how Docker and Kubernetes hand secrets to
// a process), with trailing line breaks trimmed. It returns "" when neither
// is set. Setting both, or naming a file that cannot be read or is empty,
// records a problem naming the variable.
func (e *Env) Secret(key string) string {
	v, _ := e.Lookup(key)
	path, _ := e.Lookup(key + "_FILE")
	switch {
	case path == "":
		return v
	case v != "":
		e.Problem("set %s or %s_FILE, not both", key, key)
		return v
	}
	b, err := readSecretFile(path)
	if err != nil {
		e.Problem("%s_FILE: %v", key, err)
		return ""
	}
	s := strings.TrimRight(string(b), "\r\n")
	if strings.TrimSpace(s) == "" {
		e.Problem("%s_FILE: %s is empty", key, path)
		return ""
	}
	return s
}

// RequiredSecret is Secret recording a problem when neither key nor
// key+"_FILE" is set.
func (e *Env) RequiredSecret(key string) string {
	s := e.Secret(key)
	if _, set := e.Lookup(key + "_FILE"); s == "" && !set {
		e.Problem("%s is required (or %s_FILE naming a file that holds it)", key, key)
	}
	return s
}

// SecretSet reports whether key or key+"_FILE" has a value.
func (e *Env) SecretSet(key string) bool {
	v, _ := e.Lookup(key)
	path, _ := e.Lookup(key + "_FILE")
	return v != "" || path != ""
}

func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSecretFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read secret file %s: %w", path, err)
	}
	if len(b) > MaxSecretFileBytes {
		return nil, fmt.Errorf("secret file %s is larger than %d bytes", path, MaxSecretFileBytes)
	}
	return b, nil
}

// Problem records a validation problem found by the caller.
func (e *Env) Problem(format string, args ...any) {
	e.problems = append(e.problems, fmt.Errorf(format, args...))
}

// Err returns every recorded problem joined, or nil.
func (e *Env) Err() error {
	if len(e.problems) == 0 {
		return nil
	}
	return fmt.Errorf("invalid configuration: %w", errors.Join(e.problems...))
}

// ReadDotEnv parses a .env file of KEY=VALUE lines. Blank lines and lines
// starting with # are skipped; values may be single- or double-quoted.
func ReadDotEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return map[string]string{}, fmt.Errorf("read env file: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return out, fmt.Errorf("read env file %s:%d: expected KEY=VALUE", path, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read env file: %w", err)
	}
	return out, nil
}

// Mask hides a secret for logs, keeping only enough to tell two apart.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	if len(secret) <= 8 {
		return "****"
	}
	return secret[:2] + "****" + secret[len(secret)-2:]
}
