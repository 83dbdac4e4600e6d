//go:build unix

package embedded_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// privateHelperEnv names the data folder when the test binary runs as the
// helper process of TestDataIsPrivate.
const privateHelperEnv = "EMBEDDED_PRIVATE_DATA_HELPER"

// TestDataIsPrivate: whatever the umask (the helper process clears it, the
// most permissive case), the stand-ins' files are 0600 and their folders
// 0700, including a data folder an older version left world-readable.
// The umask is per process, so the stack runs in a child process.
func TestDataIsPrivate(t *testing.T) {
	if dir := os.Getenv(privateHelperEnv); dir != "" {
		writeData(t, dir)
		return
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	// What an older version left: readable folders and files.
	if err := os.MkdirAll(filepath.Join(dir, "kafka", "old-topic-0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kafka", "old-topic-0", "segment"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDataIsPrivate$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), privateHelperEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	files := checkModes(t, dir)
	for _, want := range []string{"mongo/private.sqlite", "kafka/partitions/private.events-0/0.dat", "kafka/topics.json", "kafka/old-topic-0/segment"} {
		if !files[want] {
			t.Errorf("no %s among the files checked: %v", want, files)
		}
	}
}

// writeData runs in the helper process: with the umask cleared it writes
// to FerretDB and Kafka, checks the database files at once (SQLite must
// create them private by itself, the periodic pass being off), then
// closes the stack.
func writeData(t *testing.T, dir string) {
	syscall.Umask(0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := embedded.Start(ctx, embedded.Options{Dir: dir, PrivateEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	client, db, err := mongox.Connect(ctx, st.MongoURI, "private")
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if _, err := db.Collection("users").InsertOne(ctx, bson.M{"email": "ann@example.com"}); err != nil {
		t.Error(err)
	}
	_ = client.Disconnect(ctx) //nolint:errcheck // the data is written
	var sqlite int
	for name := range checkModes(t, filepath.Join(dir, "mongo")) {
		if filepath.Ext(name) == ".sqlite" {
			sqlite++
		}
	}
	if sqlite == 0 {
		t.Error("no database file created")
	}
	const topic = "private.events"
	kc, err := kafkax.New(kafkax.Config{Brokers: st.KafkaBrokers, Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := kc.EnsureTopics(ctx, topic); err != nil {
		t.Error(err)
	}
	w := kc.Writer()
	if err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Value: []byte("secret")}); err != nil {
		t.Error(err)
	}
	_ = w.Close() //nolint:errcheck // the message is written
	kc.Close()
	st.Close()
}

// checkModes fails t for every folder under root that is not 0700 and
// every file that is not 0600, and returns the files' paths relative to
// root.
func checkModes(t *testing.T, root string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			rel, _ := filepath.Rel(root, path) //nolint:errcheck // path is under root
			files[rel] = true
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %#o, want %#o", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
