package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// AuthRequest is an authorization request of the code flow, kept from
// /authorize until its code is exchanged. Request is the validated request
// as the identity provider encodes it; the store does not look inside.
type AuthRequest struct {
	ID        string
	ClientID  string
	Request   []byte
	UserID    string     // who approved it; empty until then
	AuthTime  *time.Time // when they signed in
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateAuthRequest stores r.
func (s *Store) CreateAuthRequest(ctx context.Context, r AuthRequest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_requests (id, client_id, request, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, r.ID, r.ClientID, string(r.Request), ms(r.CreatedAt), ms(r.ExpiresAt))
		return err
	})
}

const authRequestColumns = `id, client_id, request, COALESCE(user_id, ''), auth_time, created_at, expires_at`

func scanAuthRequest(row interface{ Scan(...any) error }) (AuthRequest, error) {
	var r AuthRequest
	var req string
	var auth sql.NullInt64
	var created, expires int64
	if err := row.Scan(&r.ID, &r.ClientID, &req, &r.UserID, &auth, &created, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return AuthRequest{}, ErrNotFound
		}
		return AuthRequest{}, err
	}
	r.Request, r.AuthTime = []byte(req), fromMS(auth)
	r.CreatedAt, r.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return r, nil
}

// AuthRequestByID returns the unexpired request with that id.
func (s *Store) AuthRequestByID(ctx context.Context, id string, now time.Time) (AuthRequest, error) {
	r, err := scanAuthRequest(s.db.QueryRowContext(ctx, `SELECT `+authRequestColumns+` FROM auth_requests
		WHERE id = $1 AND expires_at > $2`, id, ms(now)))
	if err != nil {
		return AuthRequest{}, s.describe(err)
	}
	return r, nil
}

// ApproveAuthRequest records that the user approved the unexpired request
// id, having signed in at authTime. A request is approved once: ErrNotFound
// when it is unknown, expired or already approved.
func (s *Store) ApproveAuthRequest(ctx context.Context, id, userID string, authTime, now time.Time) error {
	return s.execOne(ctx, `UPDATE auth_requests SET user_id = $2, auth_time = $3
		WHERE id = $1 AND user_id IS NULL AND expires_at > $4`, id, userID, ms(authTime), ms(now))
}

// SaveAuthCode attaches the authorization code to the approved request id.
// A request gets one code, ever: ErrNotFound when it already has had one.
func (s *Store) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.execOne(ctx, `UPDATE auth_requests SET code_hash = $2
		WHERE id = $1 AND user_id IS NOT NULL AND code_hash IS NULL`, id, secretHash(code))
}

// ConsumeAuthCode returns the unexpired request the code was issued for and
// spends the code: of two exchanges of one code, one gets ErrNotFound.
func (s *Store) ConsumeAuthCode(ctx context.Context, code string, now time.Time) (AuthRequest, error) {
	var r AuthRequest
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanAuthRequest(tx.QueryRowContext(ctx, `UPDATE auth_requests SET code_hash = 'spent:' || id
			WHERE code_hash = $1 AND expires_at > $2 RETURNING `+authRequestColumns, secretHash(code), ms(now)))
		return err
	})
	return r, err
}

// DeleteAuthRequest removes the request id; removing one that does not
// exist is not an error.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_requests WHERE id = $1`, id); err != nil {
		return s.describe(err)
	}
	return nil
}

// Device grant states.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceIssued   = "issued" // approved, and its tokens handed out
)

// DeviceGrant is a device authorization request (RFC 8628).
type DeviceGrant struct {
	ClientID  string
	UserCode  string
	Scopes    []string
	State     string
	UserID    string
	AuthTime  *time.Time
	ExpiresAt time.Time
}

// CreateDeviceGrant stores a pending grant for the client, found later by
// deviceCode (kept hashed) or userCode. ErrExists when another unexpired
// grant has the same user code: the caller draws another.
func (s *Store) CreateDeviceGrant(ctx context.Context, deviceCode, userCode, clientID string, scopes []string, now, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// User codes are short; expired grants must not hold on to theirs.
		if _, err := tx.ExecContext(ctx, `DELETE FROM device_grants WHERE user_code = $1 AND expires_at <= $2`, userCode, ms(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO device_grants (device_code_hash, user_code, client_id, scopes, state, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, secretHash(deviceCode), userCode, clientID, strings.Join(scopes, " "), DevicePending, ms(expires))
		return err
	})
}

const deviceColumns = `client_id, user_code, scopes, state, COALESCE(user_id, ''), auth_time, expires_at`

func scanDeviceGrant(row interface{ Scan(...any) error }) (DeviceGrant, error) {
	var g DeviceGrant
	var scopes string
	var auth sql.NullInt64
	var expires int64
	if err := row.Scan(&g.ClientID, &g.UserCode, &scopes, &g.State, &g.UserID, &auth, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return DeviceGrant{}, ErrNotFound
		}
		return DeviceGrant{}, err
	}
	g.Scopes, g.AuthTime, g.ExpiresAt = strings.Fields(scopes), fromMS(auth), time.UnixMilli(expires).UTC()
	return g, nil
}

// PendingDeviceGrant returns the unexpired grant with that user code that
// is still waiting for the user's decision.
func (s *Store) PendingDeviceGrant(ctx context.Context, userCode string, now time.Time) (DeviceGrant, error) {
	g, err := scanDeviceGrant(s.db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_grants
		WHERE user_code = $1 AND state = $2 AND expires_at > $3`, userCode, DevicePending, ms(now)))
	if err != nil {
		return DeviceGrant{}, s.describe(err)
	}
	return g, nil
}

// DecideDeviceGrant records the user's decision on the pending, unexpired
// grant with that user code. ErrNotFound when there is no such grant.
func (s *Store) DecideDeviceGrant(ctx context.Context, userCode, userID string, approve bool, now time.Time) error {
	state := DeviceDenied
	if approve {
		state = DeviceApproved
	}
	return s.execOne(ctx, `UPDATE device_grants SET state = $2, user_id = $3, auth_time = $4
		WHERE user_code = $1 AND state = $5 AND expires_at > $4`, userCode, state, userID, ms(now), DevicePending)
}

// PollDeviceGrant returns the client's grant for deviceCode. An approved
// grant is returned as approved once, and is issued from then on, so that
// two polls racing cannot both collect tokens.
func (s *Store) PollDeviceGrant(ctx context.Context, clientID, deviceCode string) (DeviceGrant, error) {
	// The conditional update decides between racing polls: the second
	// finds the grant issued.
	g, err := scanDeviceGrant(s.db.QueryRowContext(ctx, `UPDATE device_grants SET state = $3
		WHERE device_code_hash = $1 AND client_id = $2 AND state = $4 RETURNING `+deviceColumns,
		secretHash(deviceCode), clientID, DeviceIssued, DeviceApproved))
	if err == nil {
		g.State = DeviceApproved
		return g, nil
	}
	if err != ErrNotFound {
		return DeviceGrant{}, s.describe(err)
	}
	g, err = scanDeviceGrant(s.db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_grants
		WHERE device_code_hash = $1 AND client_id = $2`, secretHash(deviceCode), clientID))
	if err != nil {
		return DeviceGrant{}, s.describe(err)
	}
	return g, nil
}
