package stack

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// secretFile is where a generated development API_SECRET is kept, so
// tokens survive a restart of the dev stack.
const secretFile = "api-secret"

// LoadOrCreateSecret returns the API secret persisted in dir, creating a
// random one (0600) on first use. It returns whether it was created.
func LoadOrCreateSecret(dir string) (string, bool, error) {
	p := filepath.Join(dir, secretFile)
	b, err := os.ReadFile(p)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if s != "" {
			return s, false, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("read dev secret: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", false, fmt.Errorf("generate dev secret: %w", err)
	}
	s := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("create data dir: %w", err)
	}
	if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("persist dev secret: %w", err)
	}
	return s, true, nil
}
