package stackcheck

import (
	"fmt"
	"regexp"
	"strings"
)

// varRef matches what Compose substitutes: $$ (a literal $), ${NAME},
// ${NAME<op>word} with op one of :- - :? ? :+ +, and bare $NAME.
var varRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Interpolate substitutes variables in a Compose file the way `docker
// compose` does with the given environment (the .env file plus the shell).
// A ${NAME:?message} whose variable is missing is an error, as in Compose.
func Interpolate(text string, env map[string]string) (string, error) {
	var errs []string
	out := varRef.ReplaceAllStringFunc(text, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := varRef.FindStringSubmatch(m)
		name, op, word := sub[1], sub[2], sub[3]
		if name == "" {
			name = sub[4]
		}
		v, set := env[name]
		switch op {
		case ":-":
			if v == "" {
				return word
			}
		case "-":
			if !set {
				return word
			}
		case ":?":
			if v == "" {
				errs = append(errs, fmt.Sprintf("%s: %s", name, word))
			}
		case "?":
			if !set {
				errs = append(errs, fmt.Sprintf("%s: %s", name, word))
			}
		case ":+":
			if v != "" {
				return word
			}
			return ""
		case "+":
			if set {
				return word
			}
			return ""
		}
		return v
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("interpolate: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// Referenced returns the names of every variable text refers to, and which
// of them have no default (so the environment must supply them).
func Referenced(text string) (all, required map[string]bool) {
	all, required = map[string]bool{}, map[string]bool{}
	for _, sub := range varRef.FindAllStringSubmatch(text, -1) {
		name, op := sub[1], sub[2]
		if name == "" {
			name = sub[4]
		}
		if name == "" {
			continue
		}
		all[name] = true
		if op == "" || op == ":?" || op == "?" {
			required[name] = true
		}
	}
	return all, required
}
