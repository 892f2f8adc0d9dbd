-- Sign-in through upstream OpenID Connect providers. A login in progress
-- is kept here, not in a replica's memory, so that any replica can finish
-- it; it is found by the hash of its state and deleted when used.
CREATE TABLE federation_logins (
	state_hash TEXT PRIMARY KEY,
	provider TEXT NOT NULL,
	nonce TEXT NOT NULL,
	verifier TEXT NOT NULL,
	return_to TEXT NOT NULL DEFAULT '',
	expires_at BIGINT NOT NULL
);
CREATE INDEX federation_logins_expiry ON federation_logins (expires_at);
-- Which account at which provider a user signs in as: the provider's
-- subject, fixed once linked, so a changed email at the provider cannot
-- move the sign-in to another user.
CREATE TABLE federated_identities (
	provider TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (provider, subject),
	UNIQUE (provider, user_id)
);
