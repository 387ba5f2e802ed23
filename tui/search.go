package tui

import (
	"time"

	"sanbai/dates"
	"sanbai/search"
)

// searchKey builds the text a row is searched by (see package search).
func searchKey(parts ...string) string { return search.Key(parts...) }

// matches reports whether every word of the query is found in the key.
func matches(key, query string) bool { return search.Match(key, search.Words(query)) }

// parseDeadline reads a deadline as people type it (see dates.Parse): +3d, 12-05, 2026-12-05,
// 明天…; a day without a year is this year's, and a day before today is refused with a
// *dates.Error saying why (and, for a day typed without its year, what next year's would be).
func parseDeadline(in string, today time.Time) (string, error) { return dates.Deadline(in, today) }
