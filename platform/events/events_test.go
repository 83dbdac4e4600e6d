package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	t.Parallel()
	e, err := New(StockChanged, time.Unix(10, 0), StockChangedData{ProductID: "p", Quantity: 3, Delta: -1, Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Envelope
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	var d StockChangedData
	if err := back.Decode(&d); err != nil {
		t.Fatal(err)
	}
	if back.ID != e.ID || len(e.ID) != 32 || d.Version != 4 || d.Delta != -1 || back.Type != StockChanged {
		t.Fatalf("round trip: %+v %+v", back, d)
	}
	if New2, _ := New(StockChanged, time.Now(), nil); New2.ID == e.ID {
		t.Fatal("ids repeat")
	}
}

func TestPoison(t *testing.T) {
	t.Parallel()
	base := errors.New("order id is empty")
	err := fmt.Errorf("release: %w", Poison(base))
	if !errors.Is(err, ErrPoison) || !errors.Is(err, base) {
		t.Fatalf("Poison(%v) wrapped: Is(ErrPoison) = %v, Is(base) = %v", base, errors.Is(err, ErrPoison), errors.Is(err, base))
	}
	if errors.Is(base, ErrPoison) || Poison(nil) != nil {
		t.Fatal("an unmarked error counts as poison, or Poison(nil) is not nil")
	}
	e := Envelope{ID: "e1", Type: OrderCancelled, Data: json.RawMessage(`{"orderId": 7}`)}
	var d OrderData
	if err := e.Decode(&d); !errors.Is(err, ErrPoison) {
		t.Fatalf("Decode of mistyped data = %v, want a poison error", err)
	}
}
