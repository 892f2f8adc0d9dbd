package attribution

import (
	"fmt"
	"os/user"
	"strings"
)

// maxIDLen is STS's limit on both SourceIdentity and RoleSessionName.
const maxIDLen = 64

// userName picks the name calls are attributed to: the explicit one, else
// $USER from the user's environment, else the OS account.
func userName(explicit string, environ []string) string {
	if explicit != "" {
		return explicit
	}
	if v, _ := lookup(environ, "USER"); v != "" {
		return v
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// sourceIdentity sanitises name to STS's SourceIdentity rules (2 to 64 of
// letters, digits and _+=,.@-), replacing other characters with '-'. The
// same value is the qdev-user tag, whose character set is wider, so
// policies can compare the two. A name too short to be valid is an error:
// padding it would attribute calls to someone else.
func sourceIdentity(name string) (string, error) {
	s := sanitise(name)
	if len(s) < 2 {
		return s, fmt.Errorf("user name %q cannot be an STS source identity (2 to %d characters required); set $USER", name, maxIDLen)
	}
	return s, nil
}

// sessionName sanitises a RoleSessionName the same way; callers always
// pass at least "qdev-", so it cannot be too short.
func sessionName(name string) string {
	return sanitise(name)
}

func sanitise(name string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(name) {
		if b.Len() == maxIDLen {
			break
		}
		if validIDRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// validIDRune reports whether STS accepts r in an identifier ([\w+=,.@-],
// ASCII only).
func validIDRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("_+=,.@-", r)
}
