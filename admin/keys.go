package admin

import (
	"fmt"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"sanbai/store"
)

// ParseKey parses one authorized-key line ("ssh-ed25519 AAAA… comment") and returns the key's
// SHA256 fingerprint and the line normalised to type and key (comments dropped). The store
// keeps fingerprints and knows no key formats: parsing keys is the admin verbs' business.
func ParseKey(line string) (fingerprint, normalised string, err error) {
	pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.TrimSpace(line)))
	if err != nil {
		return "", "", fmt.Errorf("not a public key line (expected e.g. 'ssh-ed25519 AAAA…'): %w", err)
	}
	return gossh.FingerprintSHA256(pk), strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))), nil
}

// WithKeys returns u with the authorized-key lines given parsed: each normalised, with its
// fingerprint in Fingerprints, as store.AddUser takes them.
func WithKeys(u store.User, lines ...string) (store.User, error) {
	u.Keys, u.Fingerprints = nil, nil
	for _, l := range lines {
		fp, norm, err := ParseKey(l)
		if err != nil {
			return u, err
		}
		u.Keys, u.Fingerprints = append(u.Keys, norm), append(u.Fingerprints, fp)
	}
	return u, nil
}
