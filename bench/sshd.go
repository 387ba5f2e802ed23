package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// SSHD is OpenSSH's server, started on a loopback port with its own configuration and host
// key in a temporary directory: the baseline of what a terminal costs with no app at all.
type SSHD struct {
	Addr string
	User string
	cmd  *exec.Cmd
}

// SSHDPath is where Debian's openssh-server puts the daemon.
const SSHDPath = "/usr/sbin/sshd"

// StartSSHD starts sshd in dir, admitting the client key. It runs as the current user (root
// on a bench machine, which sshd needs to change to the logged-in user anyway).
func StartSSHD(dir string, client gossh.PublicKey) (*SSHD, error) {
	if _, err := os.Stat(SSHDPath); err != nil {
		return nil, fmt.Errorf("%s not found: run bench/setup.sh (installs openssh-server and less)", SSHDPath)
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ssh-keygen: %v: %s", err, out)
	}
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, gossh.MarshalAuthorizedKey(client), 0o600); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "sshd_config")
	// Only what the baseline needs: one key, no PAM, no motd or last-login lines (they are
	// not the terminal's cost), and room for the 100 concurrent sessions of the memory run.
	lines := []string{
		"Port " + port,
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + auth,
		"StrictModes no",
		"UsePAM no",
		"PermitRootLogin yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PrintMotd no",
		"PrintLastLog no",
		"UseDNS no",
		"MaxStartups 1000",
		"MaxSessions 10",
		"LogLevel ERROR",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	// sshd insists on its privilege-separation directory.
	_ = os.MkdirAll("/run/sshd", 0o755)
	cmd := exec.Command(SSHDPath, "-D", "-e", "-f", conf)
	// Its log (the readiness probe below shows up as a refused key exchange) goes to a file.
	logf, err := os.Create(filepath.Join(dir, "sshd.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &SSHD{Addr: "127.0.0.1:" + port, User: u.Username, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", s.Addr)
		if err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("sshd did not start listening on %s", s.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// Pid is the listening daemon's process id; sessions are its descendants.
func (s *SSHD) Pid() int { return s.cmd.Process.Pid }

// Stop ends the daemon (its sessions end with their connections).
func (s *SSHD) Stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// LessCommand is the command the baseline sessions run: less over the rows files, in UTF-8,
// chopping long lines as the app does.
func LessCommand(files ...string) string {
	return "LANG=C.UTF-8 LESSCHARSET=utf-8 exec less -S " + quoteFiles(files)
}

// quoteFiles quotes file names for the remote shell (the harness's own temporary files,
// which hold no quote).
func quoteFiles(files []string) string {
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = "'" + f + "'"
	}
	return strings.Join(q, " ")
}
