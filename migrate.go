package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sanbai/store"
	"sanbai/store/pgstore"
)

// migrate copies a whole store into an empty one — the embedded store in a directory into a
// PostgreSQL database, or back — through a backup: the same file `sanbai backup` writes, so the
// copy is exactly what a restore of a backup would give. Then it reads both stores and compares
// the rows of every kind, by count and by SHA-256, and fails unless they match.
func migrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the store to copy: a data directory or a postgres:// URL")
	to := fs.String("to", "", "an empty store to copy into: a data directory or a postgres:// URL")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sanbai migrate --from DIR|postgres://… --to DIR|postgres://…\n\n"+
			"Copies a whole store into an empty one (stop the servers first), then checks that both hold the same rows.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	report, err := migrateStore(context.Background(), where(*from), where(*to), slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	fmt.Fprint(stdout, report)
	if err != nil {
		fmt.Fprintf(stderr, "sanbai: migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "copied %s into %s: every kind of row matches by count and checksum\n", redact(where(*from).String()), redact(where(*to).String()))
	return 0
}

// where reads a --from or --to: a URL or a directory.
func where(s string) location {
	if pgstore.IsURL(s) {
		return location{URL: s}
	}
	return location{Dir: s}
}

// migrateStore does migrate's work and returns the comparison table.
func migrateStore(ctx context.Context, from, to location, log *slog.Logger) (string, error) {
	key, err := store.LoadKey("")
	if err != nil {
		return "", err
	}
	src, err := openAt(ctx, from, key, log)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", redact(from.String()), err)
	}
	defer src.Close()
	tmp, err := os.MkdirTemp("", "sanbai-migrate-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "sanbai.backup")
	if _, err := src.BackupToFile(ctx, store.System(), file); err != nil {
		return "", fmt.Errorf("read %s: %w", redact(from.String()), err)
	}
	want, err := digest(ctx, src, false)
	if err != nil {
		return "", err
	}
	o := store.RestoreOptions{BackupKey: key, StoreKey: key, Who: "system"}
	if to.URL != "" {
		_, err = pgstore.Restore(ctx, to.URL, file, o)
	} else {
		_, err = store.Restore(to.Dir, file, o)
	}
	if err != nil {
		return "", fmt.Errorf("copy into %s: %w", redact(to.String()), err)
	}
	dst, err := openAt(ctx, to, key, log)
	if err != nil {
		return "", err
	}
	defer dst.Close()
	got, err := digest(ctx, dst, true)
	if err != nil {
		return "", err
	}
	return compare(want, got)
}

// openAt opens the store at loc.
func openAt(ctx context.Context, loc location, key []byte, log *slog.Logger) (*store.Store, error) {
	if loc.URL != "" {
		return pgstore.Open(ctx, loc.URL, store.Options{Logger: log, EncryptionKey: key})
	}
	if _, err := os.Stat(filepath.Join(loc.Dir, "db")); err != nil {
		return nil, fmt.Errorf("no store in %s: %w", loc.Dir, err)
	}
	return store.Open(loc.Dir, store.Options{Logger: log, EncryptionKey: key})
}

// kindDigest is what a store holds of one kind of row (a key's first segment).
type kindDigest struct {
	n   int
	sum []byte
}

// digest counts and hashes a store's rows by kind, in key order. In the copy (isCopy), the
// restore's own audit event (the last "store.restore" one) is left out: the original does not
// have it.
func digest(ctx context.Context, st *store.Store, isCopy bool) (map[string]kindDigest, error) {
	type kv struct{ k, v []byte }
	var rows []kv
	var restore []byte
	err := st.Dump(ctx, func(k, v []byte) error {
		if isCopy && bytes.HasPrefix(k, []byte("audit/")) && bytes.Contains(v, []byte(`"store.restore"`)) {
			var ev store.AuditEvent
			if json.Unmarshal(v, &ev) == nil && ev.Action == "store.restore" {
				restore = k
			}
		}
		rows = append(rows, kv{k, v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	hs := map[string]kindDigest{}
	sums := map[string]hash.Hash{}
	for _, r := range rows {
		if restore != nil && bytes.Equal(r.k, restore) {
			continue
		}
		kind, _, _ := strings.Cut(string(r.k), "/")
		if sums[kind] == nil {
			sums[kind] = sha256.New()
		}
		// Lengths first, so that no two different rows hash alike.
		fmt.Fprintf(sums[kind], "%d:%s%d:%s", len(r.k), r.k, len(r.v), r.v)
		d := hs[kind]
		d.n++
		hs[kind] = d
	}
	for kind, h := range sums {
		d := hs[kind]
		d.sum = h.Sum(nil)
		hs[kind] = d
	}
	return hs, nil
}

// compare prints both stores' counts and checksums by kind, and fails on any difference.
func compare(want, got map[string]kindDigest) (string, error) {
	var kinds []string
	for k := range want {
		kinds = append(kinds, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	var b strings.Builder
	var bad []string
	fmt.Fprintf(&b, "%-14s %9s %9s  %s\n", "kind", "from", "to", "sha256 (first 12)")
	for _, k := range kinds {
		w, g := want[k], got[k]
		mark := hex.EncodeToString(w.sum)[:min(12, 2*len(w.sum))]
		if w.n != g.n || !bytes.Equal(w.sum, g.sum) {
			mark += " ≠ " + hex.EncodeToString(g.sum)[:min(12, 2*len(g.sum))]
			bad = append(bad, k)
		}
		fmt.Fprintf(&b, "%-14s %9d %9d  %s\n", k, w.n, g.n, mark)
	}
	if len(bad) > 0 {
		return b.String(), fmt.Errorf("the copy differs in %s", strings.Join(bad, ", "))
	}
	return b.String(), nil
}
