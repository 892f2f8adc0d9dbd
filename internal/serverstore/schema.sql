-- One schema, in the SQL both SQLite and PostgreSQL accept. Times are Unix
-- milliseconds; NULL means "not happened".
CREATE TABLE org (
	id INTEGER PRIMARY KEY,
	created_at BIGINT NOT NULL
);
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL,
	disabled_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE TABLE org_groups (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);
CREATE TABLE group_members (
	group_id TEXT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);
CREATE TABLE tiers (
	name TEXT PRIMARY KEY,
	rank BIGINT NOT NULL,
	requests_per_day BIGINT,
	requests_per_month BIGINT,
	tokens_per_month BIGINT,
	models TEXT NOT NULL DEFAULT '',
	features TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
);
INSERT INTO tiers (name, rank, updated_at) VALUES ('Free', 0, 0), ('Pro', 10, 0);
CREATE TABLE subscriptions (
	id TEXT PRIMARY KEY,
	user_id TEXT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	group_id TEXT UNIQUE REFERENCES org_groups(id) ON DELETE CASCADE,
	tier TEXT NOT NULL REFERENCES tiers(name),
	created_at BIGINT NOT NULL,
	cancel_at BIGINT
);
CREATE TABLE activations (
	subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	activated_at BIGINT NOT NULL,
	PRIMARY KEY (subscription_id, user_id)
);
CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	lookup TEXT NOT NULL UNIQUE, -- the key's first characters, to find it
	hash TEXT NOT NULL,          -- SHA-256 of the whole key
	created_at BIGINT NOT NULL,
	expires_at BIGINT,
	UNIQUE (user_id, name)
);
CREATE TABLE leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
