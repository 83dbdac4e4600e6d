package service

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// GenerateHint tells an operator how to make a secret that passes
// CheckSecret.
const GenerateHint = "generate one with `openssl rand -base64 48`"

// placeholderMarks are fragments only a placeholder contains, compared
// with the value in lower case and stripped of everything but letters and
// digits. Each is at least seven characters long, so a random secret
// contains one by chance with negligible probability. They catch the
// values .env.example ships (every one says "change me") and their usual
// variants.
var placeholderMarks = []string{
	"changeme", "replaceme", "placeholder", "example", "yoursecret",
	"secretgoeshere", "notasecret", "qwertyuiop",
}

// obviousSecrets are whole values seen in tutorials and defaults, in the
// same normalized form; longer ones would pass the length check alone.
var obviousSecrets = map[string]bool{
	"secret": true, "secretkey": true, "mysecret": true, "mysecretkey": true,
	"supersecret": true, "supersecretkey": true, "password": true,
	"adminkey": true, "apikey": true, "apisecret": true, "internalapisecret": true,
	"development": true, "production": true, "default": true, "test": true,
	// jwt.io's default HS256 key.
	"your256bitsecret": true,
}

// CheckSecret reports why value, the production value of the variable
// name, is unfit: empty, a placeholder or an obvious example, shorter
// than minLen, or too predictable (repeated, sequential or drawn from very
// few characters). It returns nil for a fit secret.
func CheckSecret(name, value string, minLen int) error {
	norm := normalize(value)
	switch {
	case value == "":
		return fmt.Errorf("%s is required in production (or %s_FILE naming a file that holds it); %s", name, name, GenerateHint)
	case obviousSecrets[norm] || containsAny(norm, placeholderMarks):
		return fmt.Errorf("%s is a placeholder (the value in .env.example or an obvious example), not a secret: %s", name, GenerateHint)
	case len(value) < minLen:
		return fmt.Errorf("%s must be at least %d characters in production (got %d); %s", name, minLen, len(value), GenerateHint)
	case predictable(value):
		return fmt.Errorf("%s is too predictable (repeated or sequential characters, or very few distinct ones): %s", name, GenerateHint)
	}
	return nil
}

func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func containsAny(s string, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// predictable reports a low-entropy value. The thresholds are chosen so
// that random secrets of 16 or more characters, even hexadecimal ones,
// practically never trip them (TestRandomSecretsPass draws thousands),
// while repetition and counting do:
//   - periodic: the value repeats a unit of at most half its length
//     ("aaaa...", "abcabc...", "passwordpassword...");
//   - under two bits per character by the character frequencies;
//   - at least three quarters of neighbouring characters equal or one
//     apart ("abcdef...", "0123456789...", "aaaabbbb...").
func predictable(s string) bool {
	rs := []rune(s)
	n := len(rs)
	if n < 2 {
		return true
	}
	for p := 1; p <= n/2; p++ {
		periodic := true
		for i := p; i < n && periodic; i++ {
			periodic = rs[i] == rs[i-p]
		}
		if periodic {
			return true
		}
	}
	counts := map[rune]int{}
	for _, r := range rs {
		counts[r]++
	}
	var bits float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		bits -= p * math.Log2(p)
	}
	if bits < 2 {
		return true
	}
	steps := 0
	for i := 1; i < n; i++ {
		if d := rs[i] - rs[i-1]; d >= -1 && d <= 1 {
			steps++
		}
	}
	return steps*4 >= 3*(n-1)
}
