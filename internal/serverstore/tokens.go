package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// ErrTokenReused is returned when a refresh token that was already
// exchanged is presented again. Its whole family has been revoked by then.
var ErrTokenReused = errors.New("the refresh token was already used; its session is revoked")

// TokenGrant is what a user granted a client: the basis of the tokens
// issued for it.
type TokenGrant struct {
	UserID   string
	ClientID string
	Scopes   []string
	AMR      []string // how the user authenticated
	AuthTime time.Time
}

// RefreshToken is a stored refresh token, without the token itself.
type RefreshToken struct {
	ID       string
	FamilyID string
	TokenGrant
	ExpiresAt time.Time
}

// TokenIssue is one issuance of tokens: an access token, and a refresh
// token with it unless Refresh is empty. Rotate names the refresh token
// this issuance replaces; without it a new family starts.
type TokenIssue struct {
	AccessTokenID string
	AccessExpires time.Time
	Refresh       string
	Rotate        string
	Grant         TokenGrant
	// RefreshIdle is how long a refresh token lasts unused; RefreshMax how
	// long its family lasts from the first sign-in, however it is used.
	RefreshIdle, RefreshMax time.Duration
}

// IssueTokens records iss at now, all or nothing. Rotating a refresh token
// that is used, expired or unknown fails with ErrNotFound and issues
// nothing: of two exchanges of one refresh token, one fails.
func (s *Store) IssueTokens(ctx context.Context, iss TokenIssue, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		family := ""
		var familyExpires int64
		if iss.Rotate != "" {
			err := tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET used_at = $2
				WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING family_id, family_expires_at`,
				secretHash(iss.Rotate), ms(now)).Scan(&family, &familyExpires)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
		}
		if iss.Refresh != "" {
			if family == "" {
				family, familyExpires = newID("rtf"), ms(now.Add(iss.RefreshMax))
			}
			g := iss.Grant
			_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, client_id, scopes, amr,
				auth_time, created_at, expires_at, family_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				newID("rt"), secretHash(iss.Refresh), family, g.UserID, g.ClientID, strings.Join(g.Scopes, " "),
				strings.Join(g.AMR, " "), ms(g.AuthTime), ms(now), min(ms(now.Add(iss.RefreshIdle)), familyExpires), familyExpires)
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO access_tokens (id, family_id, user_id, client_id, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, iss.AccessTokenID, family, iss.Grant.UserID, iss.Grant.ClientID, ms(iss.AccessExpires))
		return err
	})
}

// RefreshTokenByToken returns the unexpired refresh token token of an
// enabled user. A token already used is a sign it was stolen (or copied):
// its family is revoked and the answer is ErrTokenReused.
func (s *Store) RefreshTokenByToken(ctx context.Context, token string, now time.Time) (RefreshToken, error) {
	var rt RefreshToken
	var scopes, amr string
	var authTime, expires int64
	var used sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT r.id, r.family_id, r.user_id, r.client_id, r.scopes, r.amr, r.auth_time,
		r.expires_at, r.used_at FROM refresh_tokens r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = $1 AND r.family_expires_at > $2 AND u.disabled_at IS NULL`, secretHash(token), ms(now)).
		Scan(&rt.ID, &rt.FamilyID, &rt.UserID, &rt.ClientID, &scopes, &amr, &authTime, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return RefreshToken{}, ErrNotFound
	}
	if err != nil {
		return RefreshToken{}, s.describe(err)
	}
	if used.Valid {
		if err := s.revokeFamily(ctx, rt.FamilyID); err != nil {
			return RefreshToken{}, err
		}
		return RefreshToken{}, ErrTokenReused
	}
	if expires <= ms(now) {
		return RefreshToken{}, ErrNotFound
	}
	rt.Scopes, rt.AMR = strings.Fields(scopes), strings.Fields(amr)
	rt.AuthTime, rt.ExpiresAt = time.UnixMilli(authTime).UTC(), time.UnixMilli(expires).UTC()
	return rt, nil
}

// RevokeRefreshToken ends the session the user's refresh token id belongs
// to: its whole family, with the access tokens issued alongside. It must
// have been issued to that user and client: ErrNotFound otherwise, and for
// an unknown id.
func (s *Store) RevokeRefreshToken(ctx context.Context, id, userID, clientID string) error {
	var family string
	err := s.db.QueryRowContext(ctx, `SELECT family_id FROM refresh_tokens WHERE id = $1 AND user_id = $2 AND client_id = $3`,
		id, userID, clientID).Scan(&family)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return s.describe(err)
	}
	return s.revokeFamily(ctx, family)
}

// RefreshTokenID returns the id and user of the refresh token token, used
// or not, so that it can be revoked.
func (s *Store) RefreshTokenID(ctx context.Context, token string) (id, userID, clientID string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT id, user_id, client_id FROM refresh_tokens WHERE token_hash = $1`,
		secretHash(token)).Scan(&id, &userID, &clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", ErrNotFound
	}
	if err != nil {
		return "", "", "", s.describe(err)
	}
	return id, userID, clientID, nil
}

func (s *Store) revokeFamily(ctx context.Context, family string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE family_id = $1`, family); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE family_id = $1`, family)
		return err
	})
}

// RevokeAccessToken deletes the access token id of the user, issued to the
// client; with it goes the session (refresh token family) it came with.
// ErrNotFound when there is no such token.
func (s *Store) RevokeAccessToken(ctx context.Context, id, userID, clientID string) error {
	var family string
	err := s.db.QueryRowContext(ctx, `SELECT family_id FROM access_tokens WHERE id = $1 AND user_id = $2 AND client_id = $3`,
		id, userID, clientID).Scan(&family)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return s.describe(err)
	}
	if family != "" {
		return s.revokeFamily(ctx, family)
	}
	return s.execOne(ctx, `DELETE FROM access_tokens WHERE id = $1`, id)
}

// RevokeUserTokens ends every session of the user with the client.
func (s *Store) RevokeUserTokens(ctx context.Context, userID, clientID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE user_id = $1 AND client_id = $2`, userID, clientID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE user_id = $1 AND client_id = $2`, userID, clientID)
		return err
	})
}

// AccessTokenUser returns the enabled user the unexpired, unrevoked access
// token id was issued to. ErrNotFound for every reason to refuse. Each call
// reads the database, so revocation and disabling take effect at once on
// every replica.
func (s *Store) AccessTokenUser(ctx context.Context, id string, now time.Time) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM access_tokens a JOIN users u ON u.id = a.user_id
		WHERE a.id = $1 AND a.expires_at > $2 AND u.disabled_at IS NULL`, id, ms(now)))
	if err != nil {
		return User{}, s.describe(err)
	}
	return u, nil
}

// PurgeExpiredIdentity deletes what has expired before now: authorization
// requests, device grants, tokens, browser sessions and old failures.
func (s *Store) PurgeExpiredIdentity(ctx context.Context, now time.Time) error {
	t := ms(now)
	for _, q := range []string{
		`DELETE FROM auth_requests WHERE expires_at <= $1`,
		`DELETE FROM device_grants WHERE expires_at <= $1`,
		`DELETE FROM access_tokens WHERE expires_at <= $1`,
		`DELETE FROM refresh_tokens WHERE family_expires_at <= $1`,
		`DELETE FROM web_sessions WHERE expires_at <= $1`,
	} {
		if _, err := s.db.ExecContext(ctx, q, t); err != nil {
			return s.describe(err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE at <= $1`, ms(now.Add(-24*time.Hour))); err != nil {
		return s.describe(err)
	}
	return nil
}
