-- The identity provider's state: every replica reads and writes it here, so
-- a sign-in begun on one replica can end on another. Secrets a client
-- presents (refresh tokens, device codes, authorization codes, browser
-- sessions) are stored as SHA-256 hashes, never as themselves.

-- Token-signing keys. generation orders them and, being unique, lets one
-- replica win a race to add the next key. A key signs from active_at on;
-- older keys stay published until every token they signed has expired.
CREATE TABLE identity_keys (
	id TEXT PRIMARY KEY,
	generation BIGINT NOT NULL UNIQUE,
	algorithm TEXT NOT NULL,
	private_key TEXT NOT NULL, -- PKCS #8, PEM
	created_at BIGINT NOT NULL,
	active_at BIGINT NOT NULL
);
-- Named random secrets the replicas share (the key that seals
-- authorization codes); the first replica to need one creates it.
CREATE TABLE identity_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE user_passwords (
	user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	hash TEXT NOT NULL, -- argon2id, PHC string format
	updated_at BIGINT NOT NULL
);
-- Failed sign-ins and code entries, counted per account and per address.
CREATE TABLE signin_failures (
	subject TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX signin_failures_subject ON signin_failures(subject, at);
CREATE TABLE web_sessions (
	id_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
-- Authorization requests between /authorize and the token exchange.
CREATE TABLE auth_requests (
	id TEXT PRIMARY KEY,
	client_id TEXT NOT NULL,
	request TEXT NOT NULL, -- the validated request, JSON
	user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
	auth_time BIGINT,
	code_hash TEXT UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX auth_requests_expires ON auth_requests(expires_at);
-- Device authorization grants. state: pending, approved, denied, issued.
CREATE TABLE device_grants (
	device_code_hash TEXT PRIMARY KEY,
	user_code TEXT NOT NULL UNIQUE,
	client_id TEXT NOT NULL,
	scopes TEXT NOT NULL,
	state TEXT NOT NULL,
	user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
	auth_time BIGINT,
	expires_at BIGINT NOT NULL
);
CREATE INDEX device_grants_expires ON device_grants(expires_at);
-- Refresh tokens rotate: each use replaces the token with a new one of the
-- same family and marks the old one used. Presenting a used token again
-- revokes the whole family, so a stolen token is worth one use at most.
CREATE TABLE refresh_tokens (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	family_id TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id TEXT NOT NULL,
	scopes TEXT NOT NULL,
	amr TEXT NOT NULL,
	auth_time BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	family_expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens(family_expires_at);
-- Access tokens are signed JWTs; their row is what lets revocation and a
-- disabled account take effect before they expire.
CREATE TABLE access_tokens (
	id TEXT PRIMARY KEY,
	family_id TEXT NOT NULL, -- of the refresh token issued with it; '' if none
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	client_id TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_family ON access_tokens(family_id);
CREATE INDEX access_tokens_expires ON access_tokens(expires_at);
