package mongoerr_test

import (
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/mongoerr"
)

var (
	errNotFound  = errors.New("not found")
	errDuplicate = errors.New("duplicate key")
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	other := errors.New("connection reset")
	dup := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}
	cases := []struct {
		name string
		in   error
		want error // nil: Translate returns nil
	}{
		{"no error", nil, nil},
		{"missing document", mongo.ErrNoDocuments, errNotFound},
		{"unique index", dup, errDuplicate},
		{"anything else", other, other},
	}
	for _, c := range cases {
		got := mongoerr.Translate("find thing", c.in, errNotFound, errDuplicate)
		if c.want == nil {
			if got != nil {
				t.Errorf("%s: got %v, want nil", c.name, got)
			}
			continue
		}
		if !errors.Is(got, c.want) || !strings.HasPrefix(got.Error(), "find thing: ") {
			t.Errorf("%s: got %v, want %v wrapped under the operation", c.name, got, c.want)
		}
	}
	if got := mongoerr.Translate("op", other, errNotFound, errDuplicate); errors.Is(got, errNotFound) || errors.Is(got, errDuplicate) {
		t.Errorf("an unrelated error became a sentinel: %v", got)
	}
}
