package mongox

import (
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"
)

// unavailableCodes are server error codes that say the database (or the
// node answering) cannot serve right now, rather than refusing the
// operation: shutdowns, elections, unreachable hosts, exceeded time limits.
var unavailableCodes = map[int32]bool{
	6:     true, // HostUnreachable
	7:     true, // HostNotFound
	50:    true, // MaxTimeMSExpired
	89:    true, // NetworkTimeout
	91:    true, // ShutdownInProgress
	189:   true, // PrimarySteppedDown
	262:   true, // ExceededTimeLimit
	9001:  true, // SocketException
	10107: true, // NotWritablePrimary
	11600: true, // InterruptedAtShutdown
	11602: true, // InterruptedDueToReplStateChange
	13435: true, // NotPrimaryNoSecondaryOk
	13436: true, // NotPrimaryOrSecondary
}

// backendDown are fragments of the InternalError (code 1) messages FerretDB
// returns when its own storage (PostgreSQL, SQLite) cannot be reached.
var backendDown = []string{
	"failed to connect", "connection refused", "connection reset", "broken pipe",
	"dial tcp", "timeout", "server closed", "the database system is shutting down",
}

// IsUnavailable reports whether err means the database could not be used
// right now (no server to select, a network failure, a timeout, a server
// shutting down), as opposed to the database refusing the operation
// (duplicate key, validation) or a bug. Services answer the former with
// SERVICE_UNAVAILABLE ("try again") instead of an internal error: nothing
// is wrong with the request, and repeating it later can succeed.
//
// A timeout does not mean the operation failed: a write may have been
// applied although its answer never came, so callers must say so when the
// outcome matters (and keep retries idempotent).
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsTimeout(err) || mongo.IsNetworkError(err) ||
		errors.Is(err, mongo.ErrClientDisconnected) || errors.Is(err, topology.ErrTopologyClosed) ||
		errors.Is(err, topology.ErrPoolClosed) {
		return true
	}
	var sel topology.ServerSelectionError
	if errors.As(err, &sel) {
		return true
	}
	var conn topology.ConnectionError
	if errors.As(err, &conn) {
		return true
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	for code := range unavailableCodes {
		if se.HasErrorCode(int(code)) {
			return true
		}
	}
	if se.HasErrorLabel("NetworkError") || se.HasErrorLabel("RetryableWriteError") {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 1 {
		msg := strings.ToLower(ce.Message)
		for _, frag := range backendDown {
			if strings.Contains(msg, frag) {
				return true
			}
		}
	}
	return false
}
