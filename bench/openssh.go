package bench

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// NewSignerFile makes a fresh ed25519 client key and writes it in OpenSSH's format to
// dir/id_ed25519, for the OpenSSH client (see DialOptions.OpenSSH).
func NewSignerFile(dir string) (gossh.Signer, string, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", err
	}
	block, err := gossh.MarshalPrivateKey(priv, "sanbai-bench")
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, "", err
	}
	s, err := gossh.NewSignerFromKey(priv)
	return s, path, err
}

// dialOpenSSH runs the OpenSSH client in a PTY of W×H, as a person's terminal runs it, and
// plays what it prints into the virtual terminal. Its key exchange and channel handling are
// OpenSSH's, not Go's: what the relay counts is what a township office's `ssh` sends.
// Handshake is from the start to the first byte of the session (OpenSSH does not say when it
// is authenticated).
func dialOpenSSH(o DialOptions) (*Term, error) {
	host, port, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, err
	}
	if o.KeyFile == "" {
		return nil, errors.New("the OpenSSH client needs a key file (NewSignerFile)")
	}
	args := []string{"-tt", "-F", "/dev/null", "-p", port, "-l", o.User, "-i", o.KeyFile,
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
	for _, kv := range o.Env {
		args = append(args, "-o", "SetEnv="+kv)
	}
	if len(o.KeyExchanges) > 0 {
		args = append(args, "-o", "KexAlgorithms="+strings.Join(o.KeyExchanges, ","))
	}
	args = append(args, host)
	if o.Command != "" {
		args = append(args, o.Command)
	}
	start := time.Now()
	cmd := exec.Command(o.OpenSSH, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(o.H), Cols: uint16(o.W)})
	if err != nil {
		return nil, err
	}
	t := &Term{cmd: cmd, ptmx: ptmx, stdin: ptmx, emu: vt.NewEmulator(o.W, o.H), done: make(chan struct{}),
		first: make(chan struct{})}
	go func() { _, _ = io.Copy(ptmx, readerFunc(t.emu.Read)) }()
	go t.read(ptmx)
	select {
	case <-t.first:
		t.Handshake = time.Since(start)
	case <-t.done:
		t.Close()
		return nil, errors.New("the OpenSSH client ended before the session began")
	case <-time.After(20 * time.Second):
		t.Close()
		return nil, errors.New("the OpenSSH client showed nothing in 20 s")
	}
	return t, nil
}

// OpenSSHVersion is what the OpenSSH client at path says it is ("OpenSSH_9.2p1 …").
func OpenSSHVersion(path string) string {
	out, _ := exec.Command(path, "-V").CombinedOutput()
	return strings.TrimSpace(string(out))
}
