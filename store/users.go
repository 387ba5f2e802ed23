package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"sanbai/clean"
)

// ErrExists is returned when a name or key is already registered.
var ErrExists = errors.New("already registered")

// AddUser registers a user with one or more keys. The caller parses the keys (the store knows
// no key formats): u.Keys holds each authorized-key line, normalised, and u.Fingerprints each
// key's SHA256 fingerprint, in the same order, by which the user is found at login. Village
// and grid roles need a scope code that exists: a village code for the village role, a grid
// code for the grid role.
func (s *Store) AddUser(ctx context.Context, a Actor, u User, scope string) (User, error) {
	if a.Role != RoleTownship {
		return User{}, fmt.Errorf("%w: only township users manage users", ErrScope)
	}
	u.Name = clean.Line(u.Name)
	if u.Name == "" || utf8.RuneCountInString(u.Name) > 32 || strings.ContainsAny(u.Name, "/ ") {
		return User{}, fmt.Errorf("a user name needs 1–32 characters and no spaces or '/'")
	}
	if !u.Role.Valid() {
		return User{}, fmt.Errorf("unknown role %q (township, village, grid or inspector)", u.Role)
	}
	if len(u.Keys) == 0 {
		return User{}, errors.New("a user needs at least one public key")
	}
	if len(u.Fingerprints) != len(u.Keys) {
		return User{}, errors.New("each key needs its fingerprint")
	}
	u.Keys, u.Fingerprints = slices.Clone(u.Keys), slices.Clone(u.Fingerprints)
	for i, fp := range u.Fingerprints {
		u.Keys[i] = clean.Line(u.Keys[i])
		if !strings.HasPrefix(fp, "SHA256:") || len(fp) < 20 || strings.ContainsAny(fp, " \t\n") || u.Keys[i] == "" {
			return User{}, fmt.Errorf("not a key fingerprint: %q", clean.Line(fp))
		}
	}
	fps := u.Fingerprints
	err := s.update(ctx, a, func(tx *Tx) error {
		u.Village, u.Grid = "", ""
		switch u.Role {
		case RoleVillage:
			if scope == "" {
				return errors.New("the village role needs --scope VILLAGE_CODE")
			}
			var v Village
			if _, err := tx.get(villageKey(scope), &v); err != nil {
				return fmt.Errorf("no village with code %q", scope)
			}
			u.Village = scope
		case RoleGrid:
			if scope == "" {
				return errors.New("the grid role needs --scope GRID_CODE")
			}
			g, err := findGrid(tx.txn, scope)
			if err != nil {
				return err
			}
			u.Village, u.Grid = g.Village, g.Code
		}
		var old User
		if _, err := tx.get(userKey(u.Name), &old); err == nil {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		for _, fp := range fps {
			var other string
			if _, err := tx.get(userKeyIndex(fp), &other); err == nil {
				return fmt.Errorf("key %s: %w to %q", fp, ErrExists, other)
			}
			if err := tx.put("user.key", userKeyIndex(fp), nil, u.Name, Change{Kind: "user", ID: u.Name}); err != nil {
				return err
			}
		}
		u.Created = tx.at
		return tx.put("user.add", userKey(u.Name), nil, u, Change{Kind: "user", ID: u.Name})
	})
	return u, err
}

// findGrid finds a grid by its code in any village.
func findGrid(txn KVTxn, code string) (Grid, error) {
	it := txn.NewIterator(IteratorOptions{Prefix: []byte("grid/")})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if strings.HasSuffix(string(it.Item().Key()), "/"+code) {
			var g Grid
			_, err := getJSON(txn, string(it.Item().Key()), &g)
			return g, err
		}
	}
	return Grid{}, fmt.Errorf("no grid with code %q", code)
}

// RemoveUser deletes a user and their keys.
func (s *Store) RemoveUser(ctx context.Context, a Actor, name string) error {
	if a.Role != RoleTownship {
		return fmt.Errorf("%w: only township users manage users", ErrScope)
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var u User
		before, err := tx.get(userKey(name), &u)
		if err != nil {
			return fmt.Errorf("no user %q", name)
		}
		// Every key index entry that names the user, whatever the user row says (users
		// registered before fingerprints were kept on it have none there).
		var keys []string
		it := tx.txn.NewIterator(IteratorOptions{Prefix: []byte("userkey/"), PrefetchValues: true})
		for it.Rewind(); it.Valid(); it.Next() {
			var owner string
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &owner) }); err != nil {
				it.Close()
				return err
			}
			if owner == name {
				keys = append(keys, string(it.Item().KeyCopy(nil)))
			}
		}
		it.Close()
		for _, k := range keys {
			var owner string
			kb, err := tx.get(k, &owner)
			if err != nil {
				return err
			}
			if err := tx.del("user.key.remove", k, kb, Change{Kind: "user", ID: name}); err != nil {
				return err
			}
		}
		return tx.del("user.remove", userKey(name), before, Change{Kind: "user", ID: name})
	})
}

// Users lists the registered users by name. Only township users and inspectors may.
func (s *Store) Users(ctx context.Context, a Actor) ([]User, error) {
	if a.Role != RoleTownship && a.Role != RoleInspector {
		return nil, fmt.Errorf("%w: only township users list users", ErrScope)
	}
	return scan[User](ctx, s.db, "user/", nil)
}

// UserByKey returns the user registered with the key of this fingerprint.
func (s *Store) UserByKey(ctx context.Context, fingerprint string) (User, error) {
	var u User
	err := s.db.View(ctx, func(txn KVTxn) error {
		var name string
		if _, err := getJSON(txn, userKeyIndex(fingerprint), &name); err != nil {
			return err
		}
		_, err := getJSON(txn, userKey(name), &u)
		return err
	})
	return u, err
}

// SetLean stores whether a user wants the lean display (no colour, the cursor a mark).
func (s *Store) SetLean(ctx context.Context, a Actor, on bool) error {
	return s.update(ctx, a, func(tx *Tx) error {
		var u User
		before, err := tx.get(userKey(a.Name), &u)
		if err != nil {
			return err
		}
		u.Lean = on
		return tx.put("user.lean", userKey(a.Name), before, u, Change{Kind: "user", ID: a.Name})
	})
}

// SetLang stores a user's interface language ("zh" or "en").
func (s *Store) SetLang(ctx context.Context, a Actor, lang string) error {
	if lang != "zh" && lang != "en" {
		return fmt.Errorf("unknown language %q (zh or en)", lang)
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var u User
		before, err := tx.get(userKey(a.Name), &u)
		if err != nil {
			return err
		}
		u.Lang = lang
		return tx.put("user.lang", userKey(a.Name), before, u, Change{Kind: "user", ID: a.Name})
	})
}
