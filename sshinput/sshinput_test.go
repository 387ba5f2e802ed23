package sshinput

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// reads is an input that returns one string per Read, as an SSH channel returns what has
// arrived; a string longer than the caller's buffer is cut, the rest returned next.
type reads struct{ parts []string }

func (r *reads) Read(p []byte) (int, error) {
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	if n < len(r.parts[0]) {
		r.parts[0] = r.parts[0][n:]
	} else {
		r.parts = r.parts[1:]
	}
	return n, nil
}

// readAll reads everything through a Reader with a buffer of size n, one Read's output per
// element.
func readAll(t *testing.T, parts []string, n int) []string {
	t.Helper()
	r := New(&reads{parts: parts})
	var out []string
	buf := make([]byte, n)
	for {
		k, err := r.Read(buf)
		if k > 0 {
			out = append(out, string(buf[:k]))
		}
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoneEscBecomesTheEscapeKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parts []string
		want  []string
	}{
		{"a lone Esc", []string{"\x1b"}, []string{EscKey}},
		{"Esc after keys in the same read", []string{"jj\x1b"}, []string{"jj" + EscKey}},
		{"Esc after a complete sequence", []string{"\x1b[A\x1b"}, []string{"\x1b[A" + EscKey}},
		{"Esc pressed twice", []string{"\x1b\x1b"}, []string{EscKey + EscKey}},
		{"an arrow key stays an arrow key", []string{"\x1b[A"}, []string{"\x1b[A"}},
		{"alt+j (or Esc then j) stays as it came", []string{"\x1bj"}, []string{"\x1bj"}},
		{"Chinese text and Esc", []string{"张三\x1b"}, []string{"张三" + EscKey}},
		{"a reply string's terminator is not an Esc", []string{"\x1b]11;rgb:0000/0000/0000\x1b", "\\"},
			[]string{"\x1b]11;rgb:0000/0000/0000\x1b", "\\"}},
		{"nor when the reply came in pieces", []string{"\x1b]11;rgb", ":0000/0000/0000\x1b", "\\", "\x1b"},
			[]string{"\x1b]11;rgb", ":0000/0000/0000\x1b", "\\", EscKey}},
		{"an unfinished sequence keeps its ESC", []string{"\x1b[1;", "\x1b"}, []string{"\x1b[1;", "\x1b"}},
		{"Esc inside a bracketed paste waits", []string{"\x1b[200~粘贴\x1b", "[201~", "\x1b"},
			[]string{"\x1b[200~粘贴\x1b", "[201~", EscKey}},
		{"Esc right after a paste ends", []string{"\x1b[200~粘贴\x1b[201~\x1b"}, []string{"\x1b[200~粘贴\x1b[201~" + EscKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, tc.parts, 64)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("reads %q gave %q, want %q", tc.parts, got, tc.want)
			}
		})
	}
}

// A read that fills the buffer may have left the rest of a sequence waiting, so an ESC at
// its end is left alone, and so is one right after it, whose read may have started inside a
// sequence; once a read ends where a key ends, a lone Esc is the Escape key again.
func TestFullReadsKeepTheirEsc(t *testing.T) {
	got := readAll(t, []string{"abc\x1b", "\x1b", "[A", "\x1b"}, 4)
	want := []string{"abc\x1b", "\x1b", "[A", EscKey[:4], EscKey[4:]}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The Escape key reaches the application without waiting for the decoder's ESC timeout:
// with the timeout set to an hour, a lone Esc still arrives, between the keys around it.
func TestDecoderTakesEscAtOnce(t *testing.T) {
	pr, pw := io.Pipe()
	d := uv.NewTerminalReader(New(pr), "xterm-256color")
	d.EscTimeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan uv.Event, 16)
	go func() { _ = d.StreamEvents(ctx, events) }()
	next := func() uv.KeyPressEvent {
		t.Helper()
		select {
		case ev := <-events:
			k, ok := ev.(uv.KeyPressEvent)
			if !ok {
				t.Fatalf("got %#v, want a key", ev)
			}
			return k
		case <-time.After(10 * time.Second):
			t.Fatal("no key after 10 s: the decoder is waiting out its ESC timeout")
		}
		return uv.KeyPressEvent{}
	}
	for _, step := range []struct {
		in   string
		want string
	}{
		{"j", "j"},
		{"\x1b", "esc"},
		{"\x1b[A", "up"},
		{"\x1b", "esc"},
		{"k", "k"},
	} {
		if _, err := pw.Write([]byte(step.in)); err != nil {
			t.Fatal(err)
		}
		if got := next().String(); got != step.want {
			t.Fatalf("typed %q, the decoder gave %q, want %q", step.in, got, step.want)
		}
	}
	pw.Close()
}
