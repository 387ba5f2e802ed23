// Package pgtest starts a throwaway PostgreSQL cluster for a test: initdb in the test's
// temporary directory, the server listening only on a unix socket there, stopped and removed
// when the test ends. Every test that needs a database gets it here, so none needs a server
// set up beforehand: CI installs PostgreSQL's packages (.ci/run) and nothing else.
//
// Without PostgreSQL's binaries the tests fail, saying so: a CI run that silently skipped the
// PostgreSQL engine would pass without testing it. A developer without PostgreSQL sets
// SANBAI_PG=skip to skip them instead.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir    string // the data directory's parent, which also holds the socket
	admin  string // a connection URL to the postgres database
	nextDB atomic.Int64
}

// bin finds PostgreSQL's server binaries: on PATH, else Debian's /usr/lib/postgresql/N/bin
// (the newest N), which the postgresql package does not put on PATH.
func bin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin: " +
		"install them (apt-get install postgresql), or set SANBAI_PG=skip to skip the PostgreSQL tests")
}

// versionOf reads N from /usr/lib/postgresql/N/bin.
func versionOf(dir string) int {
	n := 0
	fmt.Sscan(filepath.Base(filepath.Dir(dir)), &n)
	return n
}

// Start starts a cluster for t and its subtests, stopped when t ends. It fails t when
// PostgreSQL is not installed, unless SANBAI_PG=skip.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv("SANBAI_PG") == "skip" {
		t.Skip("SANBAI_PG=skip: the PostgreSQL tests are skipped")
	}
	bindir, err := bin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// initdb refuses to run as root: then the cluster belongs to the postgres user, who must be
	// able to reach the directory.
	var runAs []string
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				if err := os.Chmod(d, fi.Mode().Perm()|0o011); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := os.Mkdir(data, 0o700); err != nil {
			t.Fatal(err)
		}
		var uid, gid int
		fmt.Sscan(pg.Uid, &uid)
		fmt.Sscan(pg.Gid, &gid)
		for _, p := range []string{dir, data} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) {
		t.Helper()
		argv := append(slices.Clone(runAs), append([]string{filepath.Join(bindir, name)}, args...)...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
	// Durability is not what these tests test; fsync off makes each commit cheap.
	run("pg_ctl", "-D", data, "-w", "-s", "-l", filepath.Join(dir, "server.log"), "-o",
		"-k "+dir+" -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
		"start")
	t.Cleanup(func() {
		argv := append(slices.Clone(runAs), filepath.Join(bindir, "pg_ctl"), "-D", data, "-s", "-m", "immediate", "-w", "stop")
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Logf("stop PostgreSQL: %v\n%s", err, out)
		}
	})
	return &Cluster{dir: dir, admin: urlFor(dir, "postgres")}
}

// urlFor is the connection URL of database db through the socket in dir.
func urlFor(dir, db string) string {
	return "postgres://postgres@/" + db + "?host=" + url.QueryEscape(dir) + "&sslmode=disable"
}

// NewDatabase creates an empty database in the cluster and returns its connection URL.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.nextDB.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return urlFor(c.dir, name)
}

// Database starts a cluster for t and returns an empty database in it: for a test that needs
// one database.
func Database(t testing.TB) string {
	t.Helper()
	return Start(t).NewDatabase(t)
}
