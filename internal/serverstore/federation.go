package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Errors of a federated sign-in.
var (
	ErrNoAccount      = errors.New("no account")
	ErrUserDisabled   = errors.New("the account is disabled")
	ErrIdentityLinked = errors.New("the account is already linked to another identity at this provider")
)

// FederationLogin is a sign-in through an upstream provider in progress:
// what the callback needs to finish it.
type FederationLogin struct {
	State     string // the state parameter; only its hash is stored
	Provider  string
	Nonce     string
	Verifier  string // the PKCE code verifier
	ReturnTo  string
	ExpiresAt time.Time
}

// CreateFederationLogin records l, and forgets logins that have expired.
func (s *Store) CreateFederationLogin(ctx context.Context, l FederationLogin) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM federation_logins WHERE expires_at < $1`, ms(time.Now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO federation_logins (state_hash, provider, nonce, verifier, return_to, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, secretHash(l.State), l.Provider, l.Nonce, l.Verifier, l.ReturnTo, ms(l.ExpiresAt))
		return err
	})
}

// TakeFederationLogin returns the login with state and deletes it, so
// that it finishes once, on whichever replica. ErrNotFound when there is
// none or it expired before now.
func (s *Store) TakeFederationLogin(ctx context.Context, state string, now time.Time) (FederationLogin, error) {
	l := FederationLogin{State: state}
	var exp int64
	err := s.db.QueryRowContext(ctx, `DELETE FROM federation_logins WHERE state_hash = $1
		RETURNING provider, nonce, verifier, return_to, expires_at`, secretHash(state)).Scan(&l.Provider, &l.Nonce, &l.Verifier, &l.ReturnTo, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return FederationLogin{}, ErrNotFound
	}
	if err != nil {
		return FederationLogin{}, s.describe(err)
	}
	l.ExpiresAt = time.UnixMilli(exp).UTC()
	if !now.Before(l.ExpiresAt) {
		return FederationLogin{}, ErrNotFound
	}
	return l, nil
}

// FederatedSignIn is what an upstream provider said about a user who
// signed in through it.
type FederatedSignIn struct {
	Provider string
	Subject  string
	Email    string // normalised
	Name     string
	// CreateUsers creates a user (role user) for an email no user has.
	CreateUsers bool
	// Managed are the groups the provider is authoritative for; the user
	// ends up in exactly those of them listed in Groups. Missing groups
	// are created.
	Managed, Groups []string
}

// SignInFederated finds the user in, in one transaction: by the
// provider's subject when it is linked, else by email, linking the
// subject (or creating the user, when in.CreateUsers). It then sets the
// user's managed groups. ErrNoAccount when no user has the email and none
// may be created; ErrUserDisabled for a disabled user; ErrIdentityLinked
// when the email's user is linked to another subject of this provider.
func (s *Store) SignInFederated(ctx context.Context, in FederatedSignIn) (u User, created bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := time.Now().UTC().Truncate(time.Millisecond)
		var uid string
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM federated_identities WHERE provider = $1 AND subject = $2`,
			in.Provider, in.Subject).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			uid, created, err = s.linkByEmail(ctx, tx, in, now)
		}
		if err != nil {
			return err
		}
		if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, uid)); err != nil {
			return err
		}
		if u.Disabled {
			return ErrUserDisabled
		}
		return syncGroups(ctx, tx, uid, in.Managed, in.Groups, now)
	})
	if err != nil {
		return User{}, false, err
	}
	u.Groups, err = s.userGroups(ctx, u.ID)
	return u, created, err
}

// linkByEmail links in's subject to the user with in's email, creating the
// user when allowed.
func (s *Store) linkByEmail(ctx context.Context, tx *sql.Tx, in FederatedSignIn, now time.Time) (uid string, created bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, in.Email).Scan(&uid)
	switch {
	case errors.Is(err, sql.ErrNoRows) && in.CreateUsers:
		uid, created = newID("usr"), true
		if err := insertUser(ctx, tx, User{ID: uid, Email: in.Email, Name: in.Name, Role: RoleUser, CreatedAt: now}); err != nil {
			return "", false, err
		}
	case errors.Is(err, sql.ErrNoRows):
		return "", false, ErrNoAccount
	case err != nil:
		return "", false, err
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT subject FROM federated_identities WHERE provider = $1 AND user_id = $2`,
		in.Provider, uid).Scan(&other)
	if err == nil {
		return "", false, ErrIdentityLinked
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO federated_identities (provider, subject, user_id, created_at) VALUES ($1, $2, $3, $4)`,
		in.Provider, in.Subject, uid, ms(now))
	return uid, created, err
}

// syncGroups puts the user in the groups of want and takes them out of the
// other managed groups.
func syncGroups(ctx context.Context, tx *sql.Tx, uid string, managed, want []string, now time.Time) error {
	in := map[string]bool{}
	for _, g := range want {
		in[g] = true
	}
	for _, g := range managed {
		gid, err := groupID(ctx, tx, g)
		switch {
		case errors.Is(err, ErrNotFound) && in[g]:
			gid = newID("grp")
			if _, err := tx.ExecContext(ctx, `INSERT INTO org_groups (id, name, created_at) VALUES ($1, $2, $3)`, gid, g, ms(now)); err != nil {
				return fmt.Errorf("group %s: %w", g, err)
			}
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return err
		}
		if in[g] {
			_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)
				ON CONFLICT (group_id, user_id) DO NOTHING`, gid, uid)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, gid, uid)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
