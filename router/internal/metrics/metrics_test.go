package metrics

import (
	"fmt"
	"testing"
)

func TestOperationLabelCap(t *testing.T) {
	t.Parallel()
	m, err := New("router")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.label(""); got != "anonymous" {
		t.Fatalf("empty name labelled %q", got)
	}
	for i := 0; i < maxOperationNames; i++ {
		if got := m.label(fmt.Sprint("Op", i)); got != fmt.Sprint("Op", i) {
			t.Fatalf("name %d labelled %q", i, got)
		}
	}
	if got := m.label("OneTooMany"); got != "other" {
		t.Fatalf("name past the cap labelled %q, want other", got)
	}
	if got := m.label("Op7"); got != "Op7" {
		t.Fatalf("known name labelled %q after the cap", got)
	}
}
