// Package groupcommit turns concurrent single-document inserts into one
// collection into few insertMany calls.
//
// The embedded store commits each write call in its own SQLite transaction
// with its own fsync, which caps a database file at roughly 1,300-1,500
// write calls a second whatever each call holds; MongoDB pays a journal
// round trip per call too. An Inserter collects the inserts that arrive
// while the previous batch is being written (and at most Window after the
// first one of a batch), writes them as one unordered insertMany, and hands
// each caller its own outcome: nil, or the same duplicate-key error
// InsertOne would have returned (mongox.IsDuplicateKey recognises it). So a
// caller keeps the semantics of InsertOne (each document is inserted or
// refused on its own, and unique indexes still arbitrate per document)
// while the store sees one call for many documents.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Options tune an Inserter.
type Options struct {
	// Window is how long a batch waits for company after its first
	// document. Zero writes at once: batches still form from the inserts
	// that arrive while the previous batch is being written, without
	// adding latency when there is no concurrency.
	Window time.Duration
	// Max is the most documents per insertMany; 0 means 256.
	Max int
	// Timeout bounds one insertMany; 0 means 15 s.
	Timeout time.Duration
	// Lane, when set, is taken around each insertMany, so this inserter's
	// writes queue with the other writes of its database (see Lane).
	Lane *Lane
}

// Lane lets one write call at a time through to a database. The embedded
// store runs each write in a SQLite transaction on one database file;
// concurrent writers there do not queue but fail to get the lock and retry
// after sleeps of 1 to 100 ms, so a few concurrent writers spend most of
// their time asleep. Taking the lane first turns that into a plain queue in
// the process, and while a write is in flight the inserts arriving behind
// it gather into the next batch. (Writers in other processes still meet in
// SQLite; the unique indexes keep that correct, only slower.)
type Lane struct{ mu sync.Mutex }

// Do runs one write call in the lane.
func (l *Lane) Do(f func() error) error {
	if l == nil {
		return f()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return f()
}

type request struct {
	doc  any
	done chan error
}

// Inserter batches inserts into one collection. It needs no start or stop:
// a batch is written by the goroutine of the caller that opened it.
type Inserter struct {
	coll *mongo.Collection
	opts Options

	mu      sync.Mutex
	pending []request
	// writing is true while a batch is being collected or written; callers
	// arriving then join the next batch.
	writing bool
}

// New returns an Inserter for coll.
func New(coll *mongo.Collection, o Options) *Inserter {
	if o.Max <= 0 {
		o.Max = 256
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	return &Inserter{coll: coll, opts: o}
}

// InsertOne inserts doc as part of a batch and returns its own outcome. If
// ctx ends first, InsertOne returns ctx's error, but the document may still
// be inserted with its batch, exactly as with a plain InsertOne whose
// connection is cut after the command was sent.
func (b *Inserter) InsertOne(ctx context.Context, doc any) error {
	r := request{doc: doc, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	lead := !b.writing
	if lead {
		b.writing = true
	}
	b.mu.Unlock()
	if lead {
		go b.writeBatches()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("insert into %s: %w", b.coll.Name(), ctx.Err())
	}
}

// writeBatches writes batches until nothing is pending. Batches of one
// collection are written one after another, so documents inserted by one
// caller after another's insert returned land in that order.
func (b *Inserter) writeBatches() {
	for {
		// Let the batch fill for a moment, unless it is full already.
		b.mu.Lock()
		full := len(b.pending) >= b.opts.Max
		b.mu.Unlock()
		if !full && b.opts.Window > 0 {
			time.Sleep(b.opts.Window)
		}
		b.mu.Lock()
		n := min(len(b.pending), b.opts.Max)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		if len(batch) == 0 {
			b.writing = false
			b.pending = nil
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.write(batch)
	}
}

// write inserts one batch and answers each of its callers.
func (b *Inserter) write(batch []request) {
	docs := make([]any, len(batch))
	for i, r := range batch {
		docs[i] = r.doc
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	err := b.opts.Lane.Do(func() error {
		_, err := b.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return err //nolint:wrapcheck // wrapped per caller below
	})
	if err == nil {
		for _, r := range batch {
			r.done <- nil
		}
		return
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		// The whole call failed (connection, server): nobody knows which
		// documents landed, exactly as with a failed InsertOne.
		for _, r := range batch {
			r.done <- fmt.Errorf("insert into %s: %w", b.coll.Name(), err)
		}
		return
	}
	failed := make(map[int]mongo.WriteError, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = we.WriteError
	}
	for i, r := range batch {
		we, ok := failed[i]
		if !ok {
			r.done <- nil
			continue
		}
		// Shaped as InsertOne's error, so callers' checks (duplicate key)
		// work unchanged.
		r.done <- mongo.WriteException{WriteErrors: mongo.WriteErrors{we}}
	}
}
