package sshserver

import "strings"

// monochrome reports whether a client's terminal type names a terminal without colour:
// the DEC VT family (vt52, vt100, vt220, …) and the "-mono" and "-m" entries of terminfo
// (xterm-mono, ansi-mono, linux-m). Such a session gets no colour codes at all — an old
// terminal shows them as garbage, a projector in monochrome mode loses contrast — and keeps
// bold and reverse video, which every style pairs with a word or a mark (views.Styles).
//
// The name decides, not the server's terminfo files: TERM comes from the client, and the
// server's database need not know the client's terminal.
func monochrome(term string) bool {
	t := strings.ToLower(strings.TrimSpace(term))
	if strings.HasSuffix(t, "-mono") || strings.HasSuffix(t, "-m") {
		return true
	}
	// vt100, vt220, vt100-am … but not vte-256color (GNOME's terminal).
	if rest, ok := strings.CutPrefix(t, "vt"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return true
	}
	return false
}
