// Package mongox connects to MongoDB (or a wire-compatible server such as
// FerretDB) and translates the driver errors the services care about.
package mongox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
)

// Connect dials uri, pings the server and returns the named database.
func Connect(ctx context.Context, uri, database string) (*mongo.Client, *mongo.Database, error) {
	return connect(ctx, uri, database, nil)
}

// ConnectWithMonitor is Connect with mon watching every command, e.g.
// the tracing monitor of platform/telemetry (nil: none).
func ConnectWithMonitor(ctx context.Context, uri, database string, mon *event.CommandMonitor) (*mongo.Client, *mongo.Database, error) {
	return connect(ctx, uri, database, mon)
}

func connect(ctx context.Context, uri, database string, mon *event.CommandMonitor) (*mongo.Client, *mongo.Database, error) {
	opts := options.Client().ApplyURI(uri).
		SetConnectTimeout(5 * time.Second).
		SetServerSelectionTimeout(5 * time.Second).
		SetTimeout(15 * time.Second)
	if mon != nil {
		opts.SetMonitor(mon)
	}
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("connect mongo: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background()) //nolint:errcheck // best effort on a failed start
		return nil, nil, fmt.Errorf("ping mongo: %w", err)
	}
	return client, client.Database(database), nil
}

// Ping reports whether the database answers; used by /ready.
func Ping(ctx context.Context, db *mongo.Database) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.Client().Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping mongo: %w", err)
	}
	return nil
}

// EnsureIndexes creates the given indexes on coll (idempotent). Indexes
// are created one per command and always named explicitly: FerretDB v1
// derives clashing default names when several are created together.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	for _, m := range models {
		if m.Options == nil {
			m.Options = options.Index()
		}
		if m.Options.Name == nil {
			m.Options.SetName(indexName(m.Keys))
		}
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index %s on %s: %w", *m.Options.Name, coll.Name(), err)
		}
	}
	return nil
}

// indexName builds MongoDB's conventional name ("a_1_b_-1") for keys.
func indexName(keys any) string {
	var parts []string
	if d, ok := keys.(bson.D); ok {
		for _, e := range d {
			parts = append(parts, fmt.Sprintf("%s_%v", e.Key, e.Value))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("idx_%v", keys)
	}
	return strings.Join(parts, "_")
}

// IsDuplicateKey reports whether err is a unique-index violation (E11000).
// The inventory ledger and every idempotency guard rest on this one check.
func IsDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if e.Code == 11000 || e.Code == 11001 || e.Code == 12582 {
				return true
			}
		}
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && (ce.Code == 11000 || ce.Code == 11001) {
		return true
	}
	return false
}
