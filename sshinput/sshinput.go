// Package sshinput prepares an SSH session's keyboard input for bubbletea's key decoder, so
// that a lone Esc acts at once.
//
// The decoder (github.com/charmbracelet/ultraviolet's TerminalReader) cannot tell the Escape
// key, one ESC byte, from the first byte of a longer sequence (an arrow key is ESC [ A) that
// the rest of has not arrived yet, so it waits 50 ms after a lone ESC before taking it for the
// Escape key, and the screen answers with the frame after that: 62–80 ms, where any other key
// takes one frame. A local terminal can hand a sequence over in pieces, which is why the wait
// is there. An SSH channel does not: a terminal writes each key's bytes at once, the client
// sends what it read in one message, and a read of the channel returns everything that has
// arrived (x/crypto/ssh's channel buffer copies across messages until the caller's buffer is
// full). So when a read is shorter than the buffer it was given, nothing more was waiting,
// and ESC bytes standing alone at its end are Escape keys, not the start of something.
//
// Reader passes such an ESC on as CSI 27 u, the fixterms/kitty encoding of the Escape key,
// which the decoder reads as Escape without waiting (the same event a lone ESC gives after the
// wait). Everything else passes through unchanged, and in every case where a sequence could
// still be split the ESC is left alone and waits as before: after a read that filled the
// buffer (more was waiting), after a read that ended inside a sequence, when the bytes before
// the ESC end inside a sequence (a terminal's reply string ends with ESC \), and inside a
// bracketed paste, whose text may hold ESC bytes and whose closing marker starts with one.
package sshinput

import (
	"bytes"
	"io"

	"github.com/charmbracelet/x/ansi"
)

// EscKey is the Escape key as CSI u (fixterms, the kitty keyboard protocol): one complete
// sequence, where a bare ESC is a prefix.
const EscKey = "\x1b[27u"

// Bracketed paste markers: a paste's text, ESC bytes and all, lies between them.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// Reader is an SSH session's input with lone Esc keys made unambiguous. See the package
// comment for when an ESC counts as lone.
type Reader struct {
	r io.Reader
	// rest is output that did not fit the caller's buffer, returned by the next Read.
	rest []byte
	// err is the underlying reader's error, returned once rest is out.
	err error
	// state is the sequence decoder's state where the input read so far ends: not
	// ansi.NormalState when it ends inside a sequence, or after an ESC left alone.
	state byte
	// tail is the end of the input read so far, enough to find a paste marker that two
	// reads split between them.
	tail []byte
	// paste is whether the input is inside a bracketed paste.
	paste bool
}

// New returns r, an SSH session's input, with lone Esc keys made unambiguous.
func New(r io.Reader) *Reader { return &Reader{r: r} }

// Read reads the next input from the session.
func (r *Reader) Read(p []byte) (int, error) {
	if len(r.rest) > 0 {
		n := copy(p, r.rest)
		r.rest = r.rest[n:]
		return n, nil
	}
	if r.err != nil {
		err := r.err
		r.err = nil
		return 0, err
	}
	n, err := r.r.Read(p)
	if n == 0 {
		return n, err
	}
	in := p[:n]
	r.follow(in)
	body := bytes.TrimRight(in, "\x1b")
	escs := n - len(body)
	r.decode(body)
	// The ESC run stands alone when what came before it ended where a key ends, nothing more
	// was waiting (the read did not fill the buffer), and no paste is open.
	if escs == 0 || r.state != byte(ansi.NormalState) || n == len(p) || r.paste {
		r.decode(in[len(body):])
		return n, err
	}
	out := make([]byte, 0, len(body)+escs*len(EscKey))
	out = append(out, body...)
	for range escs {
		out = append(out, EscKey...)
	}
	m := copy(p, out)
	if m < len(out) {
		r.rest, r.err = out[m:], err
		return m, nil
	}
	return m, err
}

// decode runs the sequence decoder over b from where the input read so far left it.
func (r *Reader) decode(b []byte) {
	for len(b) > 0 {
		_, _, n, next := ansi.DecodeSequence(b, r.state, nil)
		r.state, b = next, b[n:]
	}
}

// follow notes whether the input is inside a bracketed paste after b: the last marker in it
// decides, counting one that began at the end of the previous read.
func (r *Reader) follow(b []byte) {
	seen := append(r.tail, b...)
	if s, e := bytes.LastIndex(seen, []byte(pasteStart)), bytes.LastIndex(seen, []byte(pasteEnd)); s > e {
		r.paste = true
	} else if e > s {
		r.paste = false
	}
	r.tail = append(r.tail[:0], seen[max(len(seen)-len(pasteStart)+1, 0):]...)
}
