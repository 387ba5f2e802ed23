package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"sanbai/store"
	"sanbai/store/pgstore"
)

// BackupUsage describes the backup, restore and key verbs.
const BackupUsage = `Backup, restore and encryption keys:
  backup -o FILE                     write a consistent backup of the whole store (township users)
  ssh -p PORT HOST backup > FILE     the same through the running server
  restore [--backup-key-file PATH] FILE
                                     restore a backup into an empty data directory (server stopped),
                                     or with --store postgres://… into an empty database
  keygen -o FILE                     write a new encryption key (64 hex digits, mode 600)
  rekey --new-key-file PATH          re-encrypt the store's data keys under a new master key
                                     (server stopped; the current key comes from SANBAI_KEY_FILE
                                     or SANBAI_KEY)
The store is encrypted when SANBAI_KEY_FILE names a key file, or SANBAI_KEY holds a key.
`

// backup writes a backup: to the SSH session's standard output over SSH, to a file (-o)
// locally. Every backup is an audited export.
func backup(env Env, args []string) error {
	fs := newFlags(env, "backup", "backup -o FILE   (over SSH: ssh -p PORT HOST backup > FILE)")
	out := fs.String("o", "", "file to write (locally); over SSH the backup goes to standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if env.Remote {
		if *out != "" {
			return fmt.Errorf("%w: -o names a file on the server; over SSH redirect instead: ssh -p PORT HOST backup > FILE", ErrUsage)
		}
		_, err := env.Store.Backup(env.Ctx, env.Actor, env.Stdout)
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: backup needs -o FILE", ErrUsage)
	}
	info, err := env.Store.BackupToFile(env.Ctx, env.Actor, *out)
	if err != nil {
		return fmt.Errorf("no backup written: %w", err)
	}
	enc := "not encrypted: keep it as safe as the key"
	if info.Encrypted {
		enc = "encrypted with the store's key"
	}
	fmt.Fprintf(env.Stderr, "backup written to %s (%d bytes, %s)\n", *out, info.Bytes, enc)
	return nil
}

// RunOffline runs a verb that works on a stopped store's files rather than an open store:
// restore, keygen and rekey. It returns the exit status like Run.
func RunOffline(dir string, args []string, stdout, stderr io.Writer) int {
	env := Env{Stdout: stdout, Stderr: stderr}
	err := runOffline(env, dir, args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(stderr, err.Error())
		return 2
	}
	fmt.Fprintln(stderr, "error:", err.Error())
	return 1
}

func runOffline(env Env, dir string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w\n\n%s", ErrUsage, BackupUsage)
	}
	switch args[0] {
	case "restore":
		fs := newFlags(env, "restore", "restore [--data DIR] [--backup-key-file PATH] FILE")
		bk := fs.String("backup-key-file", "", "key the backup was made with, if not the store's key")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: restore needs exactly one FILE", ErrUsage)
		}
		storeKey, err := store.LoadKey("")
		if err != nil {
			return err
		}
		backupKey := storeKey
		if *bk != "" {
			if backupKey, err = store.LoadKey(*bk); err != nil {
				return err
			}
		}
		o := store.RestoreOptions{BackupKey: backupKey, StoreKey: storeKey, Who: "system"}
		var info store.BackupInfo
		if pgstore.IsURL(dir) {
			// Into an empty PostgreSQL database (--store); the key only reads the backup.
			info, err = pgstore.Restore(context.Background(), dir, fs.Arg(0), o)
		} else {
			info, err = store.Restore(dir, fs.Arg(0), o)
		}
		if err != nil {
			return fmt.Errorf("nothing restored: %w", err)
		}
		if pgstore.IsURL(dir) {
			dir = "the PostgreSQL database"
		}
		fmt.Fprintf(env.Stdout, "restored %s (%d bytes) into %s\n", filepath.Base(fs.Arg(0)), info.Bytes, dir)
		return nil
	case "keygen":
		fs := newFlags(env, "keygen", "keygen -o FILE")
		out := fs.String("o", "", "key file to create")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return fmt.Errorf("%w: keygen needs -o FILE", ErrUsage)
		}
		if err := store.WriteKeyFile(*out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote a new key to %s; keep a copy off the server: without it the data cannot be read\n", *out)
		return nil
	case "rekey":
		fs := newFlags(env, "rekey", "rekey [--data DIR] --new-key-file PATH")
		nk := fs.String("new-key-file", "", "the new key file (make one with keygen)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *nk == "" {
			return fmt.Errorf("%w: rekey needs --new-key-file", ErrUsage)
		}
		if pgstore.IsURL(dir) {
			return fmt.Errorf("%w: a PostgreSQL store is encrypted (or not) by its database server, not by a sanbai key", ErrUsage)
		}
		oldKey, err := store.LoadKey("")
		if err != nil {
			return err
		}
		newKey, err := store.LoadKey(*nk)
		if err != nil {
			return err
		}
		if err := store.RotateKey(dir, oldKey, newKey); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "the store in %s now opens with %s; point SANBAI_KEY_FILE at it\n", dir, *nk)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q\n\n%s", ErrUsage, args[0], BackupUsage)
}
