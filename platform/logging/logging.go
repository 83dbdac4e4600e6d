// Package logging builds the structured logger every binary uses.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// New returns a slog logger writing JSON (format "json") or text to w at the
// given level ("debug", "info", "warn", "error"; unknown means info).
func New(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
