// Package mongoerr translates MongoDB driver errors into a domain's
// sentinel errors, for the catalog's and the inventory's stores alike.
package mongoerr

import (
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/mongox"
)

// Translate wraps err (nil stays nil) with op: a missing document becomes
// notFound and a unique-index violation duplicate, so that callers test
// for their domain's sentinels with errors.Is; any other error is kept.
func Translate(op string, err, notFound, duplicate error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", op, notFound)
	case mongox.IsDuplicateKey(err):
		return fmt.Errorf("%s: %w", op, duplicate)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
