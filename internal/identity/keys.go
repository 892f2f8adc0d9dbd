package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/qdev/qdev/internal/serverstore"
)

// Key rotation. A key signs for keyRotation; its successor is published
// keyPublishAhead before it starts signing, longer than any replica caches
// the key set, so every replica can verify a token the moment it is
// signed. A key stays published keyRetention after its successor took
// over, longer than anything it signed stays valid.
const (
	keyRotation     = 30 * 24 * time.Hour
	keyPublishAhead = 10 * time.Minute
	keyRetention    = AccessTokenLifetime + time.Hour
	keyCacheTTL     = time.Minute
	keyRereadGap    = 5 * time.Second
	keyBits         = 2048
)

// signingKey is a parsed stored key. It is both op.SigningKey and op.Key
// (for the JWKS, where Key is the public half).
type signingKey struct {
	id       string
	gen      int64
	activeAt time.Time
	private  *rsa.PrivateKey
}

func (k *signingKey) ID() string                                  { return k.id }
func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }

// publicKey is a signing key as the JWKS shows it.
type publicKey struct{ *signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.private.PublicKey }

// Key is the private key, for signing.
func (k *signingKey) Key() any { return k.private }

// keyring reads the signing keys from the store, caching them for at most
// keyCacheTTL, and adds the next key when it is due.
type keyring struct {
	store *serverstore.Store
	now   func() time.Time

	mu       sync.Mutex
	keys     []*signingKey // generation order
	loadedAt time.Time
}

// current returns the keys, reloading them when the cache is old.
func (kr *keyring) current(ctx context.Context) ([]*signingKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if kr.keys != nil && kr.now().Sub(kr.loadedAt) < keyCacheTTL {
		return kr.keys, nil
	}
	return kr.reloadLocked(ctx)
}

func (kr *keyring) reloadLocked(ctx context.Context) ([]*signingKey, error) {
	stored, err := kr.store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]*signingKey, 0, len(stored))
	for _, s := range stored {
		k, err := parseKey(s)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	kr.keys, kr.loadedAt = keys, kr.now()
	return keys, nil
}

func parseKey(s serverstore.SigningKey) (*signingKey, error) {
	block, _ := pem.Decode([]byte(s.PrivateKey))
	if block == nil || s.Algorithm != string(jose.RS256) {
		return nil, fmt.Errorf("signing key %s is damaged", s.ID)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	rsaKey, ok := priv.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("signing key %s is damaged", s.ID)
	}
	return &signingKey{id: s.ID, gen: s.Generation, activeAt: s.ActiveAt, private: rsaKey}, nil
}

// signing returns the key to sign with now: the newest active one. On a
// new store it creates the first.
func (kr *keyring) signing(ctx context.Context) (*signingKey, error) {
	keys, err := kr.current(ctx)
	if err != nil {
		return nil, err
	}
	if k := activeKey(keys, kr.now()); k != nil {
		return k, nil
	}
	if keys, err = kr.rotate(ctx); err != nil {
		return nil, err
	}
	if k := activeKey(keys, kr.now()); k != nil {
		return k, nil
	}
	return nil, errors.New("identity: no signing key is active")
}

func activeKey(keys []*signingKey, now time.Time) *signingKey {
	for i := len(keys) - 1; i >= 0; i-- {
		if !keys[i].activeAt.After(now) {
			return keys[i]
		}
	}
	return nil
}

// published returns the keys to verify with: every stored key.
func (kr *keyring) published(ctx context.Context) ([]op.Key, error) {
	keys, err := kr.current(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = publicKey{k}
	}
	return out, nil
}

// byID returns the published key id, rereading the store once when it is
// unknown (a replica may have added it since the cache was filled).
func (kr *keyring) byID(ctx context.Context, id string) (*signingKey, error) {
	keys, err := kr.current(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.id == id {
			return k, nil
		}
	}
	kr.mu.Lock()
	// Unknown key ids cost a reread at most every few seconds: a flood of
	// made-up ids must not become a flood of queries.
	if kr.now().Sub(kr.loadedAt) < keyRereadGap {
		kr.mu.Unlock()
		return nil, errUnknownKey
	}
	keys, err = kr.reloadLocked(ctx)
	kr.mu.Unlock()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.id == id {
			return k, nil
		}
	}
	return nil, errUnknownKey
}

var errUnknownKey = errors.New("unknown signing key")

// rotate adds the next key when it is due (or the first, on a new store)
// and drops keys nothing valid was signed with any more. Replicas may
// rotate at once: the store takes one key per generation, and the others
// use it. It returns the keys as stored afterwards.
func (kr *keyring) rotate(ctx context.Context) ([]*signingKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	keys, err := kr.reloadLocked(ctx)
	if err != nil {
		return nil, err
	}
	now := kr.now()
	var next serverstore.SigningKey
	switch {
	case len(keys) == 0:
		next = serverstore.SigningKey{Generation: 1, ActiveAt: now}
	case !keys[len(keys)-1].activeAt.Add(keyRotation - keyPublishAhead).After(now):
		newest := keys[len(keys)-1]
		next = serverstore.SigningKey{Generation: newest.gen + 1, ActiveAt: now.Add(keyPublishAhead)}
	}
	if next.Generation > 0 {
		if err := kr.add(ctx, next, now); err != nil && !errors.Is(err, serverstore.ErrExists) {
			return nil, err
		}
		if keys, err = kr.reloadLocked(ctx); err != nil {
			return nil, err
		}
	}
	// A key may go once its successor has signed for keyRetention.
	keep := int64(0)
	for i := 0; i+1 < len(keys); i++ {
		if keys[i+1].activeAt.Add(keyRetention).Before(now) {
			keep = keys[i+1].gen
		}
	}
	if keep > 0 && keep > keys[0].gen {
		if err := kr.store.DeleteSigningKeysBefore(ctx, keep); err != nil {
			return nil, err
		}
		return kr.reloadLocked(ctx)
	}
	return keys, nil
}

func (kr *keyring) add(ctx context.Context, k serverstore.SigningKey, now time.Time) error {
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	var id [12]byte
	rand.Read(id[:])
	k.ID = "k" + hex.EncodeToString(id[:])
	k.Algorithm = string(jose.RS256)
	k.PrivateKey = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	k.CreatedAt = now
	return kr.store.AddSigningKey(ctx, k)
}
