package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters for new hashes (the first recommended set of RFC
// 9106 is far above what one sign-in may cost here; these follow the
// common minimum: 19 MiB, two passes, one lane). A stored hash carries
// its own parameters, so they can be raised later.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length bounds, in characters.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 256
)

// hashSlots bounds the hashes computed at once: each takes argonMemory, and
// a burst of sign-ins must not take the server's memory with it.
var hashSlots = make(chan struct{}, 2)

// CheckPassword returns an error, for people, when pw is not acceptable as
// a password.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8")
	case n < MinPasswordLength:
		return fmt.Errorf("the password is shorter than %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Errorf("the password is longer than %d characters", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns pw's argon2id hash in the PHC string format, with a
// new random salt.
func HashPassword(pw string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argonKey(pw, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func argonKey(pw string, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, n)
}

// errBadHash is returned for a stored hash this package did not write.
var errBadHash = errors.New("the stored password hash is not an argon2id hash")

// VerifyPassword reports whether pw matches the stored hash encoded.
func VerifyPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	// Bounds keep a damaged or hostile row from costing the server more
	// than a sign-in should.
	if m < 8*1024 || m > 256*1024 || t < 1 || t > 10 || p < 1 || p > 8 {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argonKey(pw, salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when the account does not exist, so that
// a sign-in takes as long whether or not it does. It is made on first use:
// every q command links this package, and most never sign anyone in.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a password anyone has") })
