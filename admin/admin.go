// Package admin implements the admin verbs (user add, user list, user remove, …) once, for both
// the local command line and SSH commands (`ssh -p 2323 host user list`), so nobody needs a
// shell on the server.
package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"sanbai/clean"
	"sanbai/store"
)

// Env is where a command runs: the store, who runs it, and its standard streams.
type Env struct {
	// Ctx is the command's context (the SSH session's, over SSH); nil means
	// context.Background.
	Ctx    context.Context
	Store  *store.Store
	Actor  store.Actor
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Remote is true over SSH: file paths on the server are then refused (a key is given
	// inline instead of --key-file).
	Remote bool
}

// Usage is the summary of the admin verbs, shown by `help` and on a mistake.
const Usage = `Admin commands:
  user add --name NAME --role township|village|grid|inspector [--scope CODE] --key 'ssh-ed25519 AAAA…'
           (or --key-file PATH locally)   register a user; CODE is a village code (village role)
                                          or a grid code (grid role)
  user list                               list registered users
  user remove NAME                        remove a user and their keys
  import FILE [--dry-run] [--township NAME]
                                          import a residents/cadres roster (.xlsx or .csv, UTF-8 or
                                          GBK); all of it or nothing; over SSH: import < FILE;
                                          within the import limits (64 MB, 500,000 rows a sheet, …)
  export --report NAME [--format xlsx|csv|txt] -o FILE [--village CODE]
                                          write a report: ledger, summary, groups, visits, revisits,
                                          residents, factsheet; over SSH it goes to standard output
  backup                                  stream a backup of the whole store (ssh HOST backup > FILE)
  help                                    this text
Each command takes --help.
`

// ErrUsage marks a mistake in how a command was called; the caller prints usage.
var ErrUsage = errors.New("usage")

// Run runs one admin command and returns its exit status: 0 done, 1 failed, 2 misused.
func Run(env Env, args []string) int {
	if env.Ctx == nil {
		env.Ctx = context.Background()
	}
	err := run(env, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(env.Stderr, clean.Line(err.Error()))
		return 2
	default:
		fmt.Fprintln(env.Stderr, "error:", clean.Line(err.Error()))
		return 1
	}
}

func run(env Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(env.Stdout, Usage)
		return nil
	}
	switch args[0] {
	case "backup":
		return backup(env, args[1:])
	case "user":
		if len(args) < 2 {
			return fmt.Errorf("%w: user needs add, list or remove\n\n%s", ErrUsage, Usage)
		}
		switch args[1] {
		case "add":
			return userAdd(env, args[2:])
		case "list", "ls":
			return userList(env, args[2:])
		case "remove", "rm":
			return userRemove(env, args[2:])
		case "--help", "-h", "help":
			fmt.Fprint(env.Stdout, Usage)
			return nil
		}
		return fmt.Errorf("%w: unknown user command %q\n\n%s", ErrUsage, clean.Line(args[1]), Usage)
	case "import":
		return importCmd(env, args[1:])
	case "export":
		return exportCmd(env, args[1:])
	}
	return fmt.Errorf("%w: unknown command %q\n\n%s", ErrUsage, clean.Line(args[0]), Usage)
}

// newFlags builds a flag set that writes its usage to the command's stderr and returns errors
// instead of exiting.
func newFlags(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning a flag mistake into ErrUsage (the flag package already printed
// what was wrong).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return nil
}

func userAdd(env Env, args []string) error {
	fs := newFlags(env, "user add", "user add --name NAME --role ROLE [--scope CODE] --key 'ssh-ed25519 AAAA…' | --key-file PATH")
	name := fs.String("name", "", "user name (as shown on screen and in the audit trail)")
	role := fs.String("role", "", "township, village, grid or inspector")
	scope := fs.String("scope", "", "village code (village role) or grid code (grid role)")
	keyLine := fs.String("key", "", "public key line, e.g. 'ssh-ed25519 AAAA… comment'")
	keyFile := fs.String("key-file", "", "file holding public key lines (one per line)")
	lang := fs.String("lang", "", "interface language: zh (default) or en")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (quote the key: --key 'ssh-ed25519 AAAA…')", ErrUsage, fs.Arg(0))
	}
	if *name == "" || *role == "" {
		return fmt.Errorf("%w: user add needs --name and --role", ErrUsage)
	}
	var keys []string
	if *keyLine != "" {
		keys = append(keys, *keyLine)
	}
	if *keyFile != "" {
		if env.Remote {
			return fmt.Errorf("%w: --key-file reads a file on the server; over SSH pass --key 'ssh-ed25519 AAAA…'", ErrUsage)
		}
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("read key file: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				keys = append(keys, l)
			}
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: user add needs --key or --key-file", ErrUsage)
	}
	if *lang != "" && *lang != "zh" && *lang != "en" {
		return fmt.Errorf("%w: --lang is zh or en", ErrUsage)
	}
	u, err := WithKeys(store.User{Name: *name, Role: store.Role(*role), Lang: *lang}, keys...)
	if err != nil {
		return err
	}
	u, err = env.Store.AddUser(env.Ctx, env.Actor, u, *scope)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added %s (%s%s) with %d key(s)\n", u.Name, u.Role, scopeText(u), len(u.Keys))
	return nil
}

func scopeText(u store.User) string {
	switch {
	case u.Grid != "":
		return " " + u.Grid
	case u.Village != "":
		return " " + u.Village
	}
	return ""
}

func userList(env Env, args []string) error {
	fs := newFlags(env, "user list", "user list")
	if err := parse(fs, args); err != nil {
		return err
	}
	users, err := env.Store.Users(env.Ctx, env.Actor)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSCOPE\tKEYS\tADDED")
	for _, u := range users {
		fps := u.Fingerprints
		if len(fps) == 0 { // registered before the store kept fingerprints
			for _, k := range u.Keys {
				if fp, _, err := ParseKey(k); err == nil {
					fps = append(fps, fp)
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", clean.Line(u.Name), u.Role, strings.TrimSpace(scopeText(u)),
			strings.Join(fps, ","), u.Created.Format("2006-01-02"))
	}
	if len(users) == 0 {
		fmt.Fprintln(tw, "(no users yet: add one with `user add`)")
	}
	return tw.Flush()
}

func userRemove(env Env, args []string) error {
	fs := newFlags(env, "user remove", "user remove NAME")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: user remove needs exactly one NAME", ErrUsage)
	}
	name := fs.Arg(0)
	if name == env.Actor.Name && env.Remote {
		return errors.New("you cannot remove yourself over SSH; ask another township user, or run it on the server")
	}
	if err := env.Store.RemoveUser(env.Ctx, env.Actor, name); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s\n", clean.Line(name))
	return nil
}
