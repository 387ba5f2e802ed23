package tui

import (
	"testing"
	"time"
)

func TestSearchByPinyin(t *testing.T) {
	k := searchKey("DL-0042", "王家屋顶漏雨需维修", "张强")
	for _, q := range []string{"漏雨", "louyu", "lyxwx", "wjwd", "zq", "dl-0042", "屋顶 张强", "WJ"} {
		if !matches(k, q) {
			t.Errorf("%q not found", q)
		}
	}
	for _, q := range []string{"路灯", "ludeng", "xx"} {
		if matches(k, q) {
			t.Errorf("%q found", q)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	today := time.Date(2026, 12, 28, 15, 4, 0, 0, time.Local)
	cases := map[string]string{
		"+3d": "2026-12-31", "+3": "2026-12-31", "3": "2026-12-31", "＋３天": "2026-12-31", "+1w": "2027-01-04",
		"2周": "2027-01-11", "明天": "2026-12-29", "今天": "2026-12-28", "12-30": "2026-12-30", "2027/1/5": "2027-01-05",
		"2027-02-01": "2027-02-01", "2027.2.1": "2027-02-01",
	}
	for in, want := range cases {
		got, err := parseDeadline(in, today)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	// "1/5" in December is last January: refused, never next year's silently.
	for _, bad := range []string{"", "soon", "2026-12-01", "+abc", "13-45", "+999d", "1/5"} {
		if got, err := parseDeadline(bad, today); err == nil {
			t.Errorf("%q accepted as %s", bad, got)
		}
	}
}
