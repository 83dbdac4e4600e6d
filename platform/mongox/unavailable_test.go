package mongox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"
)

// closedPortError runs a real operation against a port nobody listens on.
func closedPortError(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(context.Background(), options.Client().
		ApplyURI("mongodb://"+addr).SetServerSelectionTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background()) //nolint:errcheck // nothing to disconnect from
	_, err = client.Database("x").Collection("y").InsertOne(context.Background(), bson.D{{Key: "a", Value: 1}})
	if err == nil {
		t.Fatal("insert against a closed port succeeded")
	}
	return fmt.Errorf("create order: %w", err)
}

func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"closed port", closedPortError(t), true},
		{"deadline", fmt.Errorf("create order: %w", context.DeadlineExceeded), true},
		{"server selection", topology.ServerSelectionError{Wrapped: errors.New("no server")}, true},
		{"client disconnected", fmt.Errorf("get: %w", mongo.ErrClientDisconnected), true},
		{"shutting down", mongo.CommandError{Code: 91, Message: "shutdown in progress"}, true},
		{"backend down", mongo.CommandError{Code: 1, Message: "failed to connect to `host=127.0.0.1 user=x`: dial error"}, true},
		{"internal bug", mongo.CommandError{Code: 1, Message: "unexpected nil"}, false},
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000"}}}, false},
		{"no documents", fmt.Errorf("get: %w", mongo.ErrNoDocuments), false},
		{"bad command", mongo.CommandError{Code: 2, Message: "bad value"}, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := IsUnavailable(tc.err); got != tc.want {
				t.Fatalf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
