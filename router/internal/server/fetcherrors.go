package server

import (
	"bytes"
	"strings"

	"github.com/wundergraph/astjson"
)

// Extension codes of subgraph fetches that failed before the subgraph
// answered with GraphQL, the codes Apollo Router uses for them.
const (
	// CodeSubrequestHTTP marks a subgraph that could not be reached, timed
	// out or answered with a non-2xx status and no GraphQL body.
	CodeSubrequestHTTP = "SUBREQUEST_HTTP_ERROR"
	// CodeSubrequestMalformed marks a subgraph answer that is empty, not
	// JSON, or not a GraphQL response.
	CodeSubrequestMalformed = "SUBREQUEST_MALFORMED_RESPONSE"
)

const fetchFailedPrefix = "Failed to fetch from Subgraph"

var (
	errorsPrefix       = []byte(`{"errors":`)
	fetchFailedMessage = []byte(`"message":"` + fetchFailedPrefix)
	messageKey         = []byte(`{"message":"`)
)

// codeFetchErrors gives the resolver's own fetch-failure errors an
// extensions.code (and the subgraph's serviceName when the message names
// it): graphql-go-tools writes "Failed to fetch from Subgraph 'x'." and
// "502: Bad Gateway" without extensions, so clients could not tell them
// from other errors. Subgraph errors already carry a code and are left
// alone. Responses without errors cost one prefix comparison.
func codeFetchErrors(buf *bytes.Buffer) {
	b := buf.Bytes()
	if !bytes.HasPrefix(b, errorsPrefix) || (!bytes.Contains(b, fetchFailedMessage) && !hasStatusMessage(b)) {
		return
	}
	v, err := astjson.ParseBytes(b)
	if err != nil {
		return
	}
	changed := false
	for _, e := range v.GetArray("errors") {
		code, service, ok := classify(string(e.GetStringBytes("message")))
		if !ok {
			continue
		}
		ext := e.Get("extensions")
		if ext == nil || ext.Type() != astjson.TypeObject {
			ext = astjson.ObjectValue(nil)
			e.Set(nil, "extensions", ext)
		}
		if ext.Get("code") != nil {
			continue
		}
		ext.Set(nil, "code", astjson.StringValue(nil, code))
		if service != "" && ext.Get("serviceName") == nil {
			ext.Set(nil, "serviceName", astjson.StringValue(nil, service))
		}
		changed = true
	}
	if changed {
		out := v.MarshalTo(nil)
		buf.Reset()
		_, _ = buf.Write(out)
	}
}

// classify returns the code for a fetch-failure message and the subgraph
// it names; ok is false for every other message.
func classify(msg string) (code, service string, ok bool) {
	if rest, found := strings.CutPrefix(msg, fetchFailedPrefix); found {
		if strings.HasPrefix(rest, " '") {
			if name, after, quoted := strings.Cut(rest[2:], "'"); quoted {
				service, rest = name, after
			}
		}
		_, reason, _ := strings.Cut(rest, ", Reason: ")
		switch {
		case strings.HasPrefix(reason, "empty response"), strings.HasPrefix(reason, "invalid JSON"),
			strings.HasPrefix(reason, "no data or errors"), strings.HasPrefix(reason, "returned entities count"):
			return CodeSubrequestMalformed, service, true
		}
		return CodeSubrequestHTTP, service, true
	}
	if isStatusMessage(msg) {
		return CodeSubrequestHTTP, "", true
	}
	return "", "", false
}

// isStatusMessage matches the resolver's "502: Bad Gateway" fallback for a
// non-2xx subgraph answer that is not GraphQL.
func isStatusMessage(msg string) bool {
	if len(msg) < 3 || msg[0] < '1' || msg[0] > '5' || !isDigit(msg[1]) || !isDigit(msg[2]) {
		return false
	}
	return len(msg) == 3 || strings.HasPrefix(msg[3:], ": ")
}

// hasStatusMessage reports whether some error object in b starts with a
// status-fallback message.
func hasStatusMessage(b []byte) bool {
	for {
		i := bytes.Index(b, messageKey)
		if i < 0 {
			return false
		}
		b = b[i+len(messageKey):]
		if end := bytes.IndexByte(b, '"'); end >= 0 && isStatusMessage(string(b[:end])) {
			return true
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
