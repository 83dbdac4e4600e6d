package stack

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shopsupergraph/shop/platform/embedded"
)

// secretFile is where a generated development API_SECRET is kept, so
// tokens survive a restart of the dev stack.
const secretFile = "api-secret"

// LoadOrCreateSecret returns the API secret persisted in dir, creating a
// random one on first use. It returns whether it was created. The folder
// is made 0700 and the file 0600 whatever the umask, also when an older
// version left them readable.
func LoadOrCreateSecret(dir string) (string, bool, error) {
	if err := embedded.PrivateDir(dir); err != nil {
		return "", false, fmt.Errorf("create data dir: %w", err)
	}
	p := filepath.Join(dir, secretFile)
	b, err := os.ReadFile(p)
	if err == nil {
		if err := os.Chmod(p, 0o600); err != nil {
			return "", false, fmt.Errorf("dev secret: %w", err)
		}
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
	if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("persist dev secret: %w", err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		return "", false, fmt.Errorf("persist dev secret: %w", err)
	}
	return s, true, nil
}
