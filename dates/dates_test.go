package dates

import (
	"errors"
	"testing"
	"time"
)

// dec28 is late in the year, where "1/5" used to turn silently into next January.
var dec28 = time.Date(2026, 12, 28, 15, 4, 0, 0, time.Local)

func TestDeadlineReadsWhatPeopleType(t *testing.T) {
	cases := map[string]string{
		"+3d": "2026-12-31", "+3": "2026-12-31", "3": "2026-12-31", "＋３天": "2026-12-31", "+1w": "2027-01-04",
		"2周": "2027-01-11", "明天": "2026-12-29", "今天": "2026-12-28", "后天": "2026-12-30", "12-30": "2026-12-30",
		"12/31": "2026-12-31", "12.29": "2026-12-29", "12月30日": "2026-12-30", "12月30号": "2026-12-30",
		"2027-02-01": "2027-02-01", "2027.2.1": "2027-02-01", "2027/2/1": "2027-02-01", "2027年2月1日": "2027-02-01",
		" ２０２７－０１－０５ ": "2027-01-05",
	}
	for in, want := range cases {
		got, err := Deadline(in, dec28)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
}

func TestDeadlineRefusesWithTheReason(t *testing.T) {
	cases := []struct {
		in   string
		want Error
	}{
		{"", Error{Code: CodeEmpty}},
		{"soon", Error{Code: CodeFormat}},
		{"+abc", Error{Code: CodeFormat}},
		{"13-45", Error{Code: CodeFormat}},
		{"2-30", Error{Code: CodeFormat}},
		{"+999d", Error{Code: CodeFormat}},
		{"26-1-5", Error{Code: CodeFormat}},
		// A day without a year is this year's: in December, 1/5 is last January, refused
		// with the reason and next year's day offered — never taken as next year silently.
		{"1/5", Error{Code: CodePast, Date: "2026-01-05", Limit: "2026-12-28", NextYear: "2027-01-05"}},
		{"12-27", Error{Code: CodePast, Date: "2026-12-27", Limit: "2026-12-28", NextYear: "2027-12-27"}},
		// With its year written, nothing is offered: the person said which year.
		{"2026-12-01", Error{Code: CodePast, Date: "2026-12-01", Limit: "2026-12-28"}},
		{"昨天", Error{Code: CodePast, Date: "2026-12-27", Limit: "2026-12-28"}},
	}
	for _, c := range cases {
		got, err := Deadline(c.in, dec28)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q accepted as %q (%v)", c.in, got, err)
			continue
		}
		c.want.Input = c.in
		if *e != c.want {
			t.Errorf("%q: %+v, want %+v", c.in, *e, c.want)
		}
		if e.Error() == "" {
			t.Errorf("%q: no words", c.in)
		}
	}
}

func TestPastAcceptsBackToTheCampaignStart(t *testing.T) {
	start := "2026-11-20"
	for in, want := range map[string]string{"今天": "2026-12-28", "昨天": "2026-12-27", "前天": "2026-12-26",
		"11-20": "2026-11-20", "12/1": "2026-12-01", "2026-11-25": "2026-11-25"} {
		if got, err := Past(in, dec28, start); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]Error{
		"11-19":      {Code: CodeEarly, Date: "2026-11-19", Limit: start},
		"明天":         {Code: CodeFuture, Date: "2026-12-29", Limit: "2026-12-28"},
		"2027-01-02": {Code: CodeFuture, Date: "2027-01-02", Limit: "2026-12-28"},
	} {
		_, err := Past(in, dec28, start)
		var e *Error
		want.Input = in
		if !errors.As(err, &e) || *e != want {
			t.Errorf("%q: %v, want %+v", in, err, want)
		}
	}
	// Without a campaign start, any day up to today.
	if got, err := Past("2025-06-01", dec28, ""); err != nil || got != "2025-06-01" {
		t.Errorf("no start: %q %v", got, err)
	}
}

func TestShortShowsTheYearOnlyWhenNotThisYear(t *testing.T) {
	for d, want := range map[string]string{"2026-12-05": "12-05", "2027-01-05": "2027-01-05", "2025-12-30": "2025-12-30", "": "", "x": "x"} {
		if got := Short(d, dec28); got != want {
			t.Errorf("Short(%q) = %q, want %q", d, got, want)
		}
	}
}

func TestCheckDeadline(t *testing.T) {
	if err := CheckDeadline("2026-12-28", dec28); err != nil {
		t.Errorf("today refused: %v", err)
	}
	for _, bad := range []string{"2026-12-27", "2026-2-1", "soon"} {
		if CheckDeadline(bad, dec28) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
