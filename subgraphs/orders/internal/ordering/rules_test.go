package ordering

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateLines(t *testing.T) {
	t.Parallel()
	const a, b = "64b7f0c2a1b2c3d4e5f60718", "64b7f0c2a1b2c3d4e5f60719"
	many := make([]*LineInput, MaxLines+1)
	for i := range many {
		many[i] = &LineInput{ProductID: a, Quantity: 1}
	}
	tests := []struct {
		name    string
		in      []*LineInput
		wantErr string
		want    []Line
	}{
		{name: "seed order", in: []*LineInput{{ProductID: a, Quantity: 10}}, want: []Line{{ProductID: a, Quantity: 10}}},
		{name: "uppercase id is canonicalised", in: []*LineInput{{ProductID: strings.ToUpper(a), Quantity: 1}}, want: []Line{{ProductID: a, Quantity: 1}}},
		{name: "two products", in: []*LineInput{{ProductID: a, Quantity: 1}, {ProductID: b, Quantity: MaxQuantity}}, want: []Line{{ProductID: a, Quantity: 1}, {ProductID: b, Quantity: MaxQuantity}}},
		{name: "nil list", in: nil, wantErr: "at least one product"},
		{name: "empty list", in: []*LineInput{}, wantErr: "at least one product"},
		{name: "oversized", in: many, wantErr: "at most 50 products"},
		{name: "null line", in: []*LineInput{nil}, wantErr: "must not be null"},
		{name: "zero quantity", in: []*LineInput{{ProductID: a, Quantity: 0}}, wantErr: "at least 1"},
		{name: "negative quantity", in: []*LineInput{{ProductID: a, Quantity: -5}}, wantErr: "at least 1"},
		{name: "huge quantity", in: []*LineInput{{ProductID: a, Quantity: MaxQuantity + 1}}, wantErr: "at most 1000"},
		{name: "max int quantity", in: []*LineInput{{ProductID: a, Quantity: 1<<31 - 1}}, wantErr: "at most 1000"},
		{name: "malformed id", in: []*LineInput{{ProductID: "chocolate", Quantity: 1}}, wantErr: "not a valid product id"},
		{name: "empty id", in: []*LineInput{{ProductID: "", Quantity: 1}}, wantErr: "not a valid product id"},
		{name: "duplicate product", in: []*LineInput{{ProductID: a, Quantity: 1}, {ProductID: a, Quantity: 2}}, wantErr: "appears twice"},
		{name: "duplicate differing only in case", in: []*LineInput{{ProductID: a, Quantity: 1}, {ProductID: strings.ToUpper(a), Quantity: 2}}, wantErr: "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateLines(tc.in)
			if tc.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want InputError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("line %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestPriceLines(t *testing.T) {
	t.Parallel()
	want := []Line{{ProductID: "a", Quantity: 2}, {ProductID: "b", Quantity: 3}}
	tests := []struct {
		name      string
		got       []Line
		wantTotal int64
		wantErr   bool
	}{
		{name: "priced in another order", got: []Line{{ProductID: "b", Quantity: 3, UnitPrice: 100}, {ProductID: "a", Quantity: 2, UnitPrice: 20}}, wantTotal: 340},
		{name: "free product", got: []Line{{ProductID: "a", Quantity: 2}, {ProductID: "b", Quantity: 3, UnitPrice: 1}}, wantTotal: 3},
		{name: "missing line", got: []Line{{ProductID: "a", Quantity: 2, UnitPrice: 1}}, wantErr: true},
		{name: "wrong quantity", got: []Line{{ProductID: "a", Quantity: 1, UnitPrice: 1}, {ProductID: "b", Quantity: 3, UnitPrice: 1}}, wantErr: true},
		{name: "negative price", got: []Line{{ProductID: "a", Quantity: 2, UnitPrice: -1}, {ProductID: "b", Quantity: 3, UnitPrice: 1}}, wantErr: true},
		{name: "total beyond Int32 stays exact", got: []Line{{ProductID: "a", Quantity: 2, UnitPrice: 2_000_000_000}, {ProductID: "b", Quantity: 3, UnitPrice: 1}}, wantTotal: 4_000_000_003},
		{name: "total overflows int64", got: []Line{{ProductID: "a", Quantity: 2, UnitPrice: MaxTotal / 2}, {ProductID: "b", Quantity: 3, UnitPrice: 1}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, total, err := priceLines(want, tc.got)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got total %d", total)
				}
				return
			}
			if err != nil || total != tc.wantTotal || lines[0].ProductID != "a" || lines[0].UnitPrice == 0 && tc.wantTotal == 340 {
				t.Fatalf("lines %v total %d err %v, want total %d", lines, total, err, tc.wantTotal)
			}
		})
	}
}
