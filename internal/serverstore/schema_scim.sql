-- SCIM provisioning: what an identity provider calls a user or a group, and
-- the tokens it authenticates with. user_key is the userName folded to
-- lower case (NULL: the email is the userName), so that looking a user up
-- by userName is one indexed comparison and names differing only in case
-- cannot both exist.
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN user_name TEXT;
ALTER TABLE users ADD COLUMN user_key TEXT;
ALTER TABLE users ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_user_key ON users ((COALESCE(user_key, email)));
CREATE INDEX users_external_id ON users (external_id);
ALTER TABLE org_groups ADD COLUMN external_id TEXT;
ALTER TABLE org_groups ADD COLUMN display_name TEXT;
CREATE INDEX org_groups_external_id ON org_groups (external_id);
CREATE TABLE scim_tokens (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	lookup TEXT NOT NULL UNIQUE, -- the token's first characters, to find it
	hash TEXT NOT NULL,          -- SHA-256 of the whole token
	created_at BIGINT NOT NULL
);
