package embedded

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// The stand-ins' data (FerretDB's SQLite files, the Kafka log) holds
// customers' emails and password hashes, so only the owner may read it:
// folders 0700 and files 0600, whatever the process's umask.
//
//   - Folders are created 0700 and set to 0700 at every start, so a data
//     folder left readable by an older version is closed too.
//   - SQLite creates each database file with the mode of a 0600 reference
//     file (its `modeof` URI parameter) and gives the -wal and -shm files
//     the database's mode, all set with fchmod, so the umask plays no part.
//   - The Kafka stand-in creates its files 0644 and folders 0755 and offers
//     no way to choose; inside a 0700 folder nobody else can reach them,
//     and the stack sets them to 0600 and 0700 at start, every
//     Options.PrivateEvery while running, and once more on Close.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// modeRefFile is the empty 0600 file whose mode SQLite gives new database
// files; FerretDB only opens files ending in .sqlite, so it ignores it.
const modeRefFile = ".mode-reference"

// PrivateDir creates dir with any missing parents (0700) and makes dir
// itself 0700 if it existed with a wider mode.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("private dir: %w", err)
	}
	if err := os.Chmod(dir, dirMode); err != nil {
		return fmt.Errorf("private dir: %w", err)
	}
	return nil
}

// privatize sets every folder under root (root included) to 0700 and
// every other file to 0600. Files that vanish meanwhile (a Kafka segment
// being replaced) are skipped; symbolic links are left alone.
func privatize(root string) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		want := fileMode
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return nil
		case d.IsDir():
			want = dirMode
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode().Perm() == want {
			return nil
		}
		if err := os.Chmod(path, want); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("privatize %s: %w", root, err)
	}
	return nil
}

// modeReference creates (or resets to 0600) the reference file in dir and
// returns its absolute path.
func modeReference(dir string) (string, error) {
	p, err := filepath.Abs(filepath.Join(dir, modeRefFile))
	if err != nil {
		return "", fmt.Errorf("mode reference: %w", err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, fileMode)
	if err != nil {
		return "", fmt.Errorf("mode reference: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("mode reference: %w", err)
	}
	if err := os.Chmod(p, fileMode); err != nil {
		return "", fmt.Errorf("mode reference: %w", err)
	}
	return p, nil
}

// keepPrivate privatizes root every interval until ctx ends, logging
// failures (the next pass tries again).
func keepPrivate(ctx context.Context, root string, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := privatize(root); err != nil {
				log.Warn("could not restrict data file modes", "err", err)
			}
		}
	}
}
