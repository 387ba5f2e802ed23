// Command sanbai serves the township's "三百" door-to-door campaign over SSH, and runs its admin
// commands locally.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sanbai/admin"
	"sanbai/demo"
	"sanbai/query"
	"sanbai/sshserver"
	"sanbai/store"
	"sanbai/store/pgstore"
)

const usage = `sanbai: the "三百" campaign (串百家门、知百家情、解百家忧) served over SSH.

Usage:
  sanbai serve [--data DIR] [--store postgres://…] [--listen ADDR] [--host-key PATH] [--demo] [--lang zh|en]
  sanbai user add --name NAME --role township|village|grid|inspector [--scope CODE] --key 'ssh-ed25519 AAAA…'
  sanbai user add … --key-file PATH
  sanbai user list
  sanbai user remove NAME
  sanbai demo [--data DIR] [--county [--county-scale N]]
  sanbai migrate --from DIR|postgres://… --to DIR|postgres://…   (copy a whole store into an empty one,
                                                           verified by counts and checksums)
  sanbai backup -o FILE | restore FILE | keygen -o FILE | rekey --new-key-file PATH
  sanbai import FILE [--dry-run] [--township NAME]          (.xlsx or .csv roster; all or nothing;
                                                           at most 64 MB, 500,000 rows a sheet: see README)
  sanbai export --report ledger|summary|groups|visits|revisits|residents|factsheet
                [--format xlsx|csv|txt] -o FILE [--village CODE]

Every command that opens the store takes --store postgres://USER@HOST/DB (env SANBAI_STORE) to
use a PostgreSQL database instead of the embedded store in --data (see docs/SCALE.md).
Environment: SANBAI_DATA (default ./sanbai-data), SANBAI_STORE, SANBAI_LISTEN (default 127.0.0.1:2323),
SANBAI_KEY_FILE or SANBAI_KEY (the encryption key; see sanbai backup --help).
The user verbs also work over SSH for township users: ssh -p 2323 HOST user list
import and export work over SSH too (village users for their own village; inspectors export):
  ssh -p 2323 HOST import --dry-run < roster.xlsx
  ssh -p 2323 HOST export --report summary > summary.xlsx
Every command takes --help.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "demo":
		return seedDemo(args[1:], stdout, stderr)
	case "user", "backup":
		return local(args, stdin, stdout, stderr)
	case "import", "export":
		// Their messages follow the locale: English for en_*, Chinese otherwise.
		lang := "zh"
		if strings.HasPrefix(os.Getenv("LC_ALL")+os.Getenv("LANG"), "en") {
			lang = "en"
		}
		return local(admin.WithLang(args, lang), stdin, stdout, stderr)
	case "restore", "keygen", "rekey":
		loc, rest := locate(args)
		return admin.RunOffline(loc.String(), rest, stdout, stderr)
	case "migrate":
		return migrate(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "sanbai: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// location is where the store is: a PostgreSQL database when URL is set, else the embedded
// store in Dir.
type location struct{ Dir, URL string }

// String names the store: the URL, or the directory.
func (l location) String() string {
	if l.URL != "" {
		return l.URL
	}
	return l.Dir
}

// locate pulls --data DIR and --store URL (or --data=DIR, --store=URL) out of args, so every
// local command takes them; SANBAI_DATA and SANBAI_STORE are their defaults.
func locate(args []string) (loc location, rest []string) {
	loc = location{Dir: envOr("SANBAI_DATA", "./sanbai-data"), URL: os.Getenv("SANBAI_STORE")}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "--data" || a == "-data") && i+1 < len(args):
			loc.Dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data="), strings.HasPrefix(a, "-data="):
			loc.Dir = a[strings.Index(a, "=")+1:]
		case (a == "--store" || a == "-store") && i+1 < len(args):
			loc.URL = args[i+1]
			i++
		case strings.HasPrefix(a, "--store="), strings.HasPrefix(a, "-store="):
			loc.URL = a[strings.Index(a, "=")+1:]
		default:
			rest = append(rest, a)
		}
	}
	return loc, rest
}

// checkStoreURL refuses a --store that is not a PostgreSQL URL: a directory goes in --data.
func checkStoreURL(url string, stderr io.Writer) bool {
	if url != "" && !pgstore.IsURL(url) {
		fmt.Fprintf(stderr, "sanbai: --store takes a postgres:// URL (a directory goes in --data), not %q\n", url)
		return false
	}
	return true
}

// openStore opens the store, turning a lock held by a running server into a plain sentence.
// A server's store keeps a start snapshot of the households (store.Options.StartSnapshot);
// an admin command's does not (it would read the county at every close).
func openStore(loc location, log *slog.Logger, stderr io.Writer, serving bool) (*store.Store, bool) {
	if !checkStoreURL(loc.URL, stderr) {
		return nil, false
	}
	key, err := store.LoadKey("")
	if err != nil {
		fmt.Fprintf(stderr, "sanbai: %v\n", err)
		return nil, false
	}
	if loc.URL != "" {
		// The database keeps the rows; the key, if any, encrypts the backups made from it.
		st, err := pgstore.Open(context.Background(), loc.URL, store.Options{Logger: log, EncryptionKey: key})
		if err != nil {
			fmt.Fprintf(stderr, "sanbai: %v\n", err)
			return nil, false
		}
		return st, true
	}
	dir := loc.Dir
	st, err := store.Open(dir, store.Options{Logger: log, EncryptionKey: key, StartSnapshot: serving})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			fmt.Fprintf(stderr, "sanbai: cannot open the store: %s.\n", strings.TrimPrefix(err.Error(), store.ErrLocked.Error()+": "))
			fmt.Fprintln(stderr, "Stop that process first, or run the admin command through the running server, e.g.: ssh -p 2323 localhost user list")
			return nil, false
		}
		fmt.Fprintf(stderr, "sanbai: %v\n", err)
		return nil, false
	}
	return st, true
}

// local runs an admin verb against the store directly, as the system user.
func local(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	loc, rest := locate(args)
	if wantsHelp(rest) {
		return admin.Run(admin.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}, rest)
	}
	st, ok := openStore(loc, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), stderr, false)
	if !ok {
		return 1
	}
	defer st.Close()
	return admin.Run(admin.Env{Store: st, Actor: store.System(), Stdin: stdin, Stdout: stdout, Stderr: stderr}, rest)
}

// wantsHelp reports a --help anywhere in the arguments, answered without opening the store.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "-help" {
			return true
		}
	}
	return len(args) < 2 || args[1] == "help"
}

func seedDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr("SANBAI_DATA", "./sanbai-data"), "data directory")
	url := fs.String("store", os.Getenv("SANBAI_STORE"), "a PostgreSQL database (postgres://…) instead of --data (env SANBAI_STORE)")
	county := fs.Bool("county", false, "seed a county-size ledger instead (100,000 households, 200,000 concerns, 1,000,000 audit events; for measuring)")
	scale := fs.Int("county-scale", 1, "with --county, divide every count by this")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sanbai demo [--data DIR | --store postgres://…] [--county [--county-scale N]]\n\nSeeds the demo township (青石镇), or a county-size ledger, into an empty store.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	loc := location{Dir: *data, URL: *url}
	// The seeded store is a server's, and leaves the start snapshot a server's clean stop
	// would: the server's first start on it reads the households from there.
	st, ok := openStore(loc, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), stderr, true)
	if !ok {
		return 1
	}
	defer st.Close()
	*data = loc.String()
	if *county {
		if *scale < 1 {
			fmt.Fprintln(stderr, "sanbai: --county-scale is 1 or more")
			return 2
		}
		size := demo.FullCounty().Scaled(*scale)
		start := time.Now()
		last := -1
		err := demo.County(context.Background(), st, demo.DefaultSeed, size, st.Now(), func(done, total int) {
			if pct := done * 10 / total; pct != last {
				last = pct
				fmt.Fprintf(stdout, "%d/%d villages\n", done, total)
			}
		})
		if errors.Is(err, store.ErrNotEmpty) {
			fmt.Fprintf(stderr, "sanbai: %s already holds a township; a county is only seeded into an empty store.\n", *data)
			return 1
		}
		if err != nil {
			fmt.Fprintf(stderr, "sanbai: seeding the county: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "seeded a county of %d villages, %d households, %d concerns and %d audit events into %s in %s\n",
			size.Villages, size.Households, size.Concerns, size.Audit, *data, time.Since(start).Round(time.Second))
		// As a server's clean stop leaves it: its first start reads the ledger view from here.
		if _, err := query.NewLedger(st, nil).SaveStart(context.Background()); err != nil {
			fmt.Fprintf(stderr, "sanbai: writing the ledger's start snapshot: %v\n", err)
		}
		return 0
	}
	if err := demo.Seed(context.Background(), st); err != nil {
		if errors.Is(err, store.ErrNotEmpty) {
			fmt.Fprintf(stderr, "sanbai: %s already holds a township; the demo is only seeded into an empty store.\n", *data)
			return 1
		}
		fmt.Fprintf(stderr, "sanbai: seeding the demo township: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded the demo township into %s\n", *data)
	return 0
}

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr("SANBAI_DATA", "./sanbai-data"), "data directory (env SANBAI_DATA): the embedded store, and the host key")
	url := fs.String("store", os.Getenv("SANBAI_STORE"), "keep the store in this PostgreSQL database (postgres://…) instead of --data (env SANBAI_STORE)")
	listen := fs.String("listen", envOr("SANBAI_LISTEN", "127.0.0.1:2323"), "address to listen on (env SANBAI_LISTEN)")
	hostKey := fs.String("host-key", "", "host key file (default DATA/host_ed25519, generated on first start)")
	demoMode := fs.Bool("demo", false, "seed the demo township if the store is empty and admit anyone as a township demo user (loopback only)")
	lang := fs.String("lang", "zh", "default interface language: zh or en")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "close a connection idle this long")
	maxConns := fs.Int("max-conns", 200, "most connections open at once")
	maxPerIP := fs.Int("max-conns-per-ip", 20, "most connections open at once from one address")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sanbai serve [--data DIR] [--store postgres://…] [--listen ADDR] [--host-key PATH] [--demo] [--lang zh|en]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *lang != "zh" && *lang != "en" {
		fmt.Fprintln(stderr, "sanbai: --lang is zh or en")
		return 2
	}
	if *demoMode && !sshserver.IsLoopback(*listen) {
		fmt.Fprintf(stderr, "sanbai: refusing --demo on %s: %v\n", *listen, sshserver.ErrDemoNotLoopback)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// The collector runs when the heap has grown by 150 % of what is live, not the runtime's
	// 100 %, unless GOGC says otherwise. A county's server keeps about 700 MB live, most of it
	// holding pointers, so each collection costs about 0.65 CPU-s of marking however small
	// what changed; once the ledger view was packed (its live heap a third smaller) the
	// collector came round sooner and a meeting's triage cost a third more CPU per change
	// (in process 16 → 25 ms). The extra headroom spends part of the memory the packing
	// saved (docs/BENCHMARKS.md, "County scale").
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(150)
	}
	// SANBAI_CPUPROFILE writes a CPU profile of the whole run, start to shutdown, for study
	// (the county benchmark's server runs as a process of its own); SANBAI_MEMPROFILE writes
	// what was allocated (an allocs profile, after a collection of its own) at the window's
	// start (FILE.0) and end (FILE), for
	// `go tool pprof -sample_index=alloc_space -diff_base FILE.0 FILE`.
	// SANBAI_CPUPROFILE_FROM starts the window that many seconds in and
	// SANBAI_CPUPROFILE_SECONDS ends it that many seconds after it started: to study a start
	// apart from the stop, or a county run's meeting apart from its logins.
	seconds := func(name string) time.Duration {
		secs, err := strconv.ParseFloat(os.Getenv(name), 64)
		if err != nil || secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	from, length := seconds("SANBAI_CPUPROFILE_FROM"), seconds("SANBAI_CPUPROFILE_SECONDS")
	if path := os.Getenv("SANBAI_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(stderr, "sanbai: SANBAI_CPUPROFILE: %v\n", err)
			return 1
		}
		start := func() {
			if err := pprof.StartCPUProfile(f); err != nil {
				fmt.Fprintf(stderr, "sanbai: SANBAI_CPUPROFILE: %v\n", err)
				return
			}
			if length > 0 {
				time.AfterFunc(length, pprof.StopCPUProfile)
			}
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
		// From the start, at once; a window that begins later waits for its timer, which a
		// run ending first stops (before the file is closed: defers run last first).
		if from == 0 {
			start()
		} else {
			defer time.AfterFunc(from, start).Stop()
		}
	}
	if path := os.Getenv("SANBAI_MEMPROFILE"); path != "" {
		write := func(path string) {
			runtime.GC() // the profile is as of the last collection
			f, err := os.Create(path)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "sanbai: SANBAI_MEMPROFILE: %v\n", err)
			}
		}
		defer time.AfterFunc(from, func() { write(path + ".0") }).Stop()
		if length > 0 {
			defer time.AfterFunc(from+length, func() { write(path) }).Stop()
		} else {
			defer write(path)
		}
	}
	loc := location{Dir: *data, URL: *url}
	st, ok := openStore(loc, log, stderr, true)
	if !ok {
		return 1
	}
	defer st.Close()
	if loc.URL == "" {
		release, err := store.MarkHolder(*data, "sanbai serve --listen "+*listen)
		if err != nil {
			log.Warn("could not write the holder file", "err", err)
		}
		defer release()
	} else if err := os.MkdirAll(*data, 0o700); err != nil {
		// The host key still lives in --data: several front ends share a copy of it.
		fmt.Fprintf(stderr, "sanbai: %v\n", err)
		return 1
	}
	if *demoMode {
		empty, err := st.Empty(context.Background())
		if err != nil {
			fmt.Fprintf(stderr, "sanbai: %v\n", err)
			return 1
		}
		if empty {
			fmt.Fprintln(stdout, "seeding the demo township (青石镇)…")
			if err := demo.Seed(context.Background(), st); err != nil {
				fmt.Fprintf(stderr, "sanbai: seeding the demo township: %v\n", err)
				return 1
			}
		}
	}
	if *hostKey == "" {
		*hostKey = filepath.Join(*data, "host_ed25519")
	}
	srv, err := sshserver.New(sshserver.Config{Store: st, Listen: *listen, HostKeyPath: *hostKey, Demo: *demoMode,
		Lang: *lang, Logger: log, IdleTimeout: *idle, MaxConns: *maxConns, MaxConnsPerIP: *maxPerIP})
	if err != nil {
		fmt.Fprintf(stderr, "sanbai: %v\n", err)
		return 1
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "sanbai: cannot listen on %s: %v\n", *listen, err)
		return 1
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	host := "localhost"
	if !sshserver.IsLoopback(*listen) {
		host = "HOST"
	}
	if *demoMode {
		fmt.Fprintln(stdout, "sanbai demo mode: anyone who connects is a township demo user.")
	}
	where := "data in " + *data
	if loc.URL != "" {
		where = "store in " + redact(loc.URL)
	}
	fmt.Fprintf(stdout, "sanbai listening on %s (%s)\nconnect with: ssh -p %s %s\n", l.Addr(), where, port, host)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintf(stderr, "sanbai: %v\n", err)
			return 1
		}
	case <-ctx.Done():
		// A second signal ends the process at once, should a session never let go.
		stop()
		log.Info("shutting down")
		// Every session is ended before the deferred st.Close: a session still loading data
		// from a closed store used to panic. Ten seconds lets an import over SSH finish.
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("shutdown", "err", err)
		} else {
			// The next start reads the ledger view and the households from snapshots while the
			// store is as they left it (docs/RELIABILITY.md): seconds on a county.
			began := time.Now()
			if wrote, err := srv.SaveStart(context.Background()); err != nil {
				log.Warn("writing the ledger's start snapshot", "err", err)
			} else if wrote {
				log.Info("ledger's start snapshot written", "took", time.Since(began).Round(time.Millisecond))
			} else {
				log.Info("ledger's start snapshot kept: no concern changed since it was read")
			}
		}
		log.Info("sessions ended; closing the store")
	}
	return 0
}

// redact drops a password from a database URL before it is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "a PostgreSQL database"
	}
	return u.Redacted()
}
