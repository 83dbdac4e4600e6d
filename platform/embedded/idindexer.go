package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself registers and uses
)

// FerretDB v1.24.2's SQLite backend looks documents up by _id (find, update
// and delete by _id) with `WHERE _ferretdb_sjson->'$._id' = ?`, but builds
// its unique _id index on `_ferretdb_sjson->"_id"`. SQLite uses an
// expression index only when the query writes the expression exactly as the
// index does, so every such look-up scans the whole table. The idIndexer
// adds a second, plain index on the query's expression to every collection
// table, which turns those scans into index searches.
//
// The index is an addition FerretDB does not know about: its own metadata
// (and so listIndexes and index statistics) ignore it, dropping a collection
// drops it with the table, and FerretDB's unique index keeps enforcing _id
// uniqueness. A query that runs before the index exists plans a scan and
// returns the same rows, only slower; SQLite re-plans prepared statements
// when the schema changes.
const (
	// idExpr is the expression of FerretDB's _id look-ups (its
	// metadata.IDColumn), byte for byte.
	idExpr = `_ferretdb_sjson->'$._id'`
	// idIndexSuffix names the added index <table>_ferretdb_id_lookup.
	// FerretDB names its own indexes <table>_<MongoDB index name>, so this
	// only collides with a MongoDB index called "ferretdb_id_lookup".
	idIndexSuffix = "_ferretdb_id_lookup"
	// idIndexRetry is how long a database file that failed to index waits
	// before the poller tries it again, so a persistent error is logged
	// about once a second rather than on every poll.
	idIndexRetry = time.Second
	// idIndexQuiet is how long a file must have gone unmodified before a
	// pass trusts its stamp to reveal the next change. File times come from
	// a clock that ticks every few milliseconds, and a checkpointed WAL is
	// rewritten in place without growing, so a change right after the stat
	// could leave both size and time as they were.
	idIndexQuiet = 100 * time.Millisecond
)

// idIndexer keeps the _id look-up index on every collection table in
// FerretDB's SQLite directory: one file per database, <db>.sqlite, each
// listing its collections' tables in _ferretdb_collections. It polls the
// directory and only opens a database file when the file or its
// write-ahead log changed since the last pass, so an idle stack costs a
// directory listing and a few stat calls per poll, and a busy database a
// short read of its schema per poll.
type idIndexer struct {
	dir string
	log *slog.Logger

	mu    sync.Mutex                  // one pass at a time (the poller's or a sync's)
	files map[string]idIndexFileState // by database file path

	cancel context.CancelFunc
	done   chan struct{}
}

type idIndexFileState struct {
	stamp fileStamp // when the file was last completely indexed
	retry time.Time // after a failure: not before this time
}

// fileStamp is the size and modification time of a database file and of
// its write-ahead log, where FerretDB's writes (new tables included) land
// first.
type fileStamp struct {
	size, mod, walSize, walMod int64
}

func newIDIndexer(dir string, log *slog.Logger) *idIndexer {
	return &idIndexer{dir: dir, log: log, files: map[string]idIndexFileState{}}
}

// start polls every interval until stop.
func (x *idIndexer) start(ctx context.Context, interval time.Duration) {
	ctx, x.cancel = context.WithCancel(ctx)
	x.done = make(chan struct{})
	go func() {
		defer close(x.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := x.pass(ctx, false); err != nil && ctx.Err() == nil {
				x.log.Warn("index _id look-ups", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// stop ends the poller, interrupting a pass in progress, and waits for it.
func (x *idIndexer) stop() {
	if x.cancel != nil {
		x.cancel()
		<-x.done
	}
}

// pass indexes the files that changed since the last pass (every file when
// force is set) and returns what failed.
func (x *idIndexer) pass(ctx context.Context, force bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	files, err := filepath.Glob(filepath.Join(x.dir, "*.sqlite"))
	if err != nil {
		return fmt.Errorf("list %s: %w", x.dir, err)
	}
	now := time.Now()
	seen := make(map[string]bool, len(files))
	var errs []error
	for _, f := range files {
		seen[f] = true
		st, err := stampOf(f)
		if err != nil {
			continue // dropped since the listing
		}
		prev, known := x.files[f]
		if !force && known && (prev.stamp == st || now.Before(prev.retry)) {
			continue
		}
		if err := indexFile(ctx, f, x.log); err != nil {
			x.files[f] = idIndexFileState{retry: now.Add(idIndexRetry)}
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(f), err))
			continue
		}
		// The stamp taken before the pass: a table created during it
		// changes the file again and is picked up by the next poll. A file
		// modified just before is checked again at the next poll instead.
		if st.latest() < now.Add(-idIndexQuiet).UnixNano() {
			x.files[f] = idIndexFileState{stamp: st}
		} else {
			x.files[f] = idIndexFileState{}
		}
	}
	for f := range x.files {
		if !seen[f] {
			delete(x.files, f)
		}
	}
	return errors.Join(errs...)
}

func (s fileStamp) latest() int64 { return max(s.mod, s.walMod) }

func stampOf(file string) (fileStamp, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return fileStamp{}, err
	}
	st := fileStamp{size: fi.Size(), mod: fi.ModTime().UnixNano()}
	if wi, err := os.Stat(file + "-wal"); err == nil {
		st.walSize, st.walMod = wi.Size(), wi.ModTime().UnixNano()
	}
	return st, nil
}

// indexFile creates the missing _id look-up indexes in one database file.
// FerretDB's connections are private to it, so this opens one of its own;
// SQLite's locking lets the two share the file. The connection lives only
// for the pass, never across polls: dropDatabase deletes the file, and a
// connection still open on the deleted file would keep its write-ahead log
// and shared memory around for a new database of the same name to pick up.
func indexFile(ctx context.Context, file string, log *slog.Logger) (err error) {
	// mode=rw never creates the file (a database dropped meanwhile stays
	// dropped); busy_timeout bounds the wait for FerretDB's write lock;
	// immediate transactions take that lock up front rather than failing
	// to upgrade a read.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_txlock=immediate&_pragma=busy_timeout(1000)")
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close: %w", cerr)
		}
	}()
	db.SetMaxOpenConns(1)

	tables, err := tablesWithoutIDIndex(ctx, db)
	if err != nil {
		return err
	}
	for _, t := range tables {
		created, err := createIDIndex(ctx, db, t)
		if err != nil {
			return fmt.Errorf("index table %s: %w", t, err)
		}
		if created {
			log.Debug("indexed _id look-ups", "file", filepath.Base(file), "table", t)
		}
	}
	return nil
}

// tablesWithoutIDIndex lists the collection tables that lack the index.
func tablesWithoutIDIndex(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections AS c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema AS s
			WHERE s.type = 'index' AND s.name = c.table_name || ?)`, idIndexSuffix)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return tables, nil
}

// createIDIndex indexes one table, holding the write lock from the check
// that the table still exists (FerretDB drops a collection's metadata row
// before its table) to the end.
func createIDIndex(ctx context.Context, db *sql.DB, table string) (created bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() //nolint:errcheck // already failing
		}
	}()
	var n int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
		return false, fmt.Errorf("find table: %w", err)
	}
	if n == 1 {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`,
			quoteIdent(table+idIndexSuffix), quoteIdent(table), idExpr)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, fmt.Errorf("create index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return n == 1, nil
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
