package store

// Encryption at rest uses Badger's own: every table and value-log file is encrypted with AES
// (CTR mode) under data keys that rotate every DataKeyRotation, and the data keys are kept in
// the KEYREGISTRY file encrypted under the master key, which never touches the disk beside the
// data. Rotating the master key rewrites only KEYREGISTRY (RotateKey); turning encryption on or
// off for an existing store goes through a backup and a restore.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// KeyEnv is the environment variable that may hold the master key (hex or base64 of 16, 24
// or 32 bytes), when no key file is given.
const KeyEnv = "SANBAI_KEY"

// KeyFileEnv is the environment variable that may name the key file.
const KeyFileEnv = "SANBAI_KEY_FILE"

// DataKeyRotation is how long Badger uses one data key before making the next.
const DataKeyRotation = 10 * 24 * time.Hour

// ErrBadKey is returned when the key does not open the store, or is not a valid key.
var ErrBadKey = errors.New("encryption key")

// LoadKey returns the master key from file if it is set, else from the file named by
// SANBAI_KEY_FILE, else from SANBAI_KEY; nil (no encryption) when none is set.
func LoadKey(file string) ([]byte, error) {
	if file == "" {
		file = os.Getenv(KeyFileEnv)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%w: read key file: %v", ErrBadKey, err)
		}
		if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%w: key file %s is readable by others (chmod 600 it)", ErrBadKey, file)
		}
		return DecodeKey(string(b))
	}
	if v := os.Getenv(KeyEnv); v != "" {
		return DecodeKey(v)
	}
	return nil, nil
}

// DecodeKey decodes a key written as hex or base64; it must be 16, 24 or 32 bytes (AES-128,
// -192 or -256).
func DecodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var b []byte
	var err error
	if len(s)%2 == 0 && isHex(s) {
		b, err = hex.DecodeString(s)
	} else {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not hex or base64", ErrBadKey)
	}
	switch len(b) {
	case 16, 24, 32:
		return b, nil
	}
	return nil, fmt.Errorf("%w: %d bytes; a key is 16, 24 or 32 bytes (64 hex digits for AES-256)", ErrBadKey, len(b))
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return s != ""
}

// NewKey returns a fresh AES-256 key as 64 hex digits and a newline, ready for a key file.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b) + "\n"
}

// WriteKeyFile writes a fresh key to path (mode 600), refusing to overwrite one.
func WriteKeyFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(NewKey()); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// withEncryption turns Badger's encryption on when a key is given. Encrypted tables need the
// index cache (Badger refuses to open otherwise).
func withEncryption(opts badger.Options, key []byte) badger.Options {
	if len(key) == 0 {
		return opts
	}
	return opts.WithEncryptionKey(key).
		WithEncryptionKeyRotationDuration(DataKeyRotation).
		WithIndexCacheSize(16 << 20)
}

// keyError turns Badger's key errors into one sentence a person can act on.
func keyError(err error) error {
	switch {
	case errors.Is(err, badger.ErrEncryptionKeyMismatch):
		return fmt.Errorf("%w: the key does not open this store (wrong key file or %s, or the store is not encrypted)", ErrBadKey, KeyEnv)
	case errors.Is(err, badger.ErrInvalidEncryptionKey):
		return fmt.Errorf("%w: a key is 16, 24 or 32 bytes", ErrBadKey)
	}
	return nil
}

// RotateKey re-encrypts the store's data keys under newKey; the store must be closed. The
// table and log files stay as they are (they are encrypted with the data keys), so this takes
// a moment whatever the store's size. The old key opens the store until this returns, the new
// one from then on: KEYREGISTRY is replaced by a rename.
func RotateKey(dir string, oldKey, newKey []byte) error {
	if len(oldKey) == 0 {
		return fmt.Errorf("%w: the store is not encrypted; to encrypt it, back it up and restore it with a key", ErrBadKey)
	}
	if len(newKey) == 0 {
		return fmt.Errorf("%w: no new key; to decrypt a store, back it up and restore it without a key", ErrBadKey)
	}
	// Badger's lock file tells whether the store is open.
	s, err := Open(dir, Options{EncryptionKey: oldKey})
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	opt := badger.KeyRegistryOptions{Dir: filepath.Join(dir, "db"), ReadOnly: true, EncryptionKey: oldKey,
		EncryptionKeyRotationDuration: DataKeyRotation}
	kr, err := badger.OpenKeyRegistry(opt)
	if err != nil {
		if e := keyError(err); e != nil {
			return e
		}
		return err
	}
	defer kr.Close()
	opt.EncryptionKey = newKey
	return badger.WriteKeyRegistry(kr, opt)
}
