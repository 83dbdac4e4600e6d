package harness

import "testing"

func TestWrongKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"5f3a0", "5f3a1", "5f3af", "0", "x"} {
		got := WrongKey(key)
		if got == key || len(got) != len(key) || got[:len(got)-1] != key[:len(key)-1] {
			t.Errorf("WrongKey(%q) = %q, want the same length and prefix and a different last character", key, got)
		}
	}
	if WrongKey("") == "" {
		t.Error("WrongKey(\"\") is empty")
	}
}
