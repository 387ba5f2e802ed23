package sshserver

import "testing"

// TestMonochrome: the VT family and the -mono/-m entries are monochrome; colour terminals,
// GNOME's vte and an empty TERM are not decided here.
func TestMonochrome(t *testing.T) {
	for term, want := range map[string]bool{
		"vt100": true, "vt102": true, "vt220": true, "VT52": true, "vt100-am": true, "xterm-mono": true, "ansi-mono": true,
		"linux-m": true, "xterm": false, "xterm-256color": false, "vte-256color": false, "screen": false, "putty": false,
		"": false, "vt": false, "linux": false,
	} {
		if got := monochrome(term); got != want {
			t.Errorf("%q: monochrome %v, want %v", term, got, want)
		}
	}
}
