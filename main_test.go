package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/store"
	"sanbai/store/pgstore/pgtest"
)

func cli(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), code
}

func pubKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := gossh.NewPublicKey(pub)
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"user", "--help"},
		{"user", "add", "--help"}, {"user", "list", "--help"}, {"user", "remove", "--help"}, {"migrate", "--help"}} {
		out, errOut, code := cli(args...)
		if code != 0 || !strings.Contains(strings.ToLower(out+errOut), "usage") && !strings.Contains(out+errOut, "user add") {
			t.Errorf("%v: code %d\n%s%s", args, code, out, errOut)
		}
	}
}

func TestDemoThenUsers(t *testing.T) {
	dir := t.TempDir()
	if out, errOut, code := cli("demo", "--data", dir); code != 0 || !strings.Contains(out, "seeded") {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := cli("demo", "--data", dir); code == 0 || !strings.Contains(errOut, "already holds") {
		t.Fatalf("second demo: %d %s", code, errOut)
	}
	keyFile := filepath.Join(t.TempDir(), "k.pub")
	os.WriteFile(keyFile, []byte("# 李明的笔记本\n"+pubKey(t)+" liming@laptop\n"), 0o600)
	if out, errOut, code := cli("user", "add", "--data", dir, "--name", "李明", "--role", "village", "--scope", "DL", "--key-file", keyFile); code != 0 || !strings.Contains(out, "李明") {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	if out, _, code := cli("user", "list", "--data", dir); code != 0 || !strings.Contains(out, "李明") || !strings.Contains(out, "SHA256:") {
		t.Fatalf("user list: %d %s", code, out)
	}
	if _, errOut, code := cli("user", "add", "--data", dir, "--name", "x", "--role", "grid", "--key", pubKey(t)); code == 0 || !strings.Contains(errOut, "--scope") {
		t.Fatalf("grid role without scope: %d %s", code, errOut)
	}
	if _, errOut, code := cli("user", "add", "--data", dir, "--name", "y"); code != 2 || !strings.Contains(errOut, "--role") {
		t.Fatalf("missing flags: %d %s", code, errOut)
	}
	if out, _, code := cli("user", "remove", "--data", dir, "李明"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: %d %s", code, out)
	}
}

// TestLockedStoreSaysWho: a local command while a server holds the store names the holder and
// shows no stack trace.
func TestLockedStoreSaysWho(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release, _ := store.MarkHolder(dir, "sanbai serve --listen 127.0.0.1:2323")
	defer release()
	_, errOut, code := cli("user", "list", "--data", dir)
	if code == 0 || !strings.Contains(errOut, "sanbai serve") || !strings.Contains(errOut, "ssh -p 2323 localhost user list") ||
		strings.Contains(errOut, "goroutine") || strings.Contains(errOut, ".go:") {
		t.Fatalf("code %d\n%s", code, errOut)
	}
}

func TestDemoRefusesPublicAddress(t *testing.T) {
	_, errOut, code := cli("serve", "--demo", "--data", t.TempDir(), "--listen", "0.0.0.0:2323")
	if code == 0 || !strings.Contains(errOut, "loopback") {
		t.Fatalf("code %d: %s", code, errOut)
	}
}

// TestMigrateRoundTrip: the demo township copied from the embedded store into PostgreSQL and
// back is verified by sanbai migrate itself, and every export of the three stores is the same
// file; the admin verbs take --store.
func TestMigrateRoundTrip(t *testing.T) {
	url := pgtest.Database(t)
	dir, back := t.TempDir(), t.TempDir()
	if out, errOut, code := cli("demo", "--data", dir); code != 0 {
		t.Fatalf("demo: %s%s", out, errOut)
	}
	for _, args := range [][]string{{"--from", dir, "--to", url}, {"--from", url, "--to", back}} {
		out, errOut, code := cli(append([]string{"migrate"}, args...)...)
		if code != 0 || !strings.Contains(out, "every kind of row matches") {
			t.Fatalf("migrate %v: %d\n%s%s", args, code, out, errOut)
		}
	}
	if out, errOut, code := cli("migrate", "--from", dir, "--to", url); code == 0 {
		t.Fatalf("a migrate into a database that holds a store went through:\n%s%s", out, errOut)
	}
	for _, report := range []string{"ledger", "summary", "residents"} {
		var files []string
		for i, where := range [][]string{{"--data", dir}, {"--store", url}, {"--data", back}} {
			f := filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.csv", report, i))
			args := append([]string{"export", "--report", report, "--format", "csv", "-o", f}, where...)
			if out, errOut, code := cli(args...); code != 0 {
				t.Fatalf("%v: %s%s", args, out, errOut)
			}
			files = append(files, f)
		}
		first, _ := os.ReadFile(files[0])
		for _, f := range files[1:] {
			if b, _ := os.ReadFile(f); len(first) == 0 || !bytes.Equal(b, first) {
				t.Errorf("the %s export of %s differs from the original's", report, f)
			}
		}
	}
	if out, errOut, code := cli("user", "add", "--store", url, "--name", "镇长", "--role", "township", "--key", pubKey(t)); code != 0 {
		t.Fatalf("user add --store: %s%s", out, errOut)
	}
	if out, errOut, code := cli("user", "list", "--store", url); code != 0 || !strings.Contains(out, "镇长") {
		t.Fatalf("user list --store: %s%s", out, errOut)
	}
}
