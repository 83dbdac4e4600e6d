package harness

// WrongKey returns a key as long as key that differs from it only in its
// last character, so a check that compares whole keys must refuse it.
func WrongKey(key string) string {
	if key == "" {
		return "0"
	}
	last := byte('0')
	if key[len(key)-1] == last {
		last = '1'
	}
	return key[:len(key)-1] + string(last)
}
