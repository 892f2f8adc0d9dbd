// A real, independent OpenID Connect provider for the federation tests:
// oidc-provider (a certified implementation) with its development sign-in
// pages, one confidential client, and the accounts given.
//
//   node provider.mjs MODULE_DIR
//
// MODULE_DIR holds node_modules/oidc-provider. The configuration comes as
// JSON on the environment variable QDEV_TEST_OIDC:
//   {"client_id", "client_secret", "redirect_uri",
//    "accounts_file": PATH}
// where PATH holds {"LOGIN": {"email", "email_verified", "name", "groups"}},
// read at each sign-in so that a test can change an account's groups.
// The provider listens on a free port of 127.0.0.1 and prints its issuer
// URL as the first line of stdout. It stops when stdin closes, so it
// never outlives the test that started it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.argv[2];
const { default: Provider } = await import(
  pathToFileURL(path.join(moduleDir, 'node_modules', 'oidc-provider', 'lib', 'index.js')).href);
const cfg = JSON.parse(process.env.QDEV_TEST_OIDC);

const configuration = {
  clients: [{
    client_id: cfg.client_id,
    client_secret: cfg.client_secret,
    redirect_uris: [cfg.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // Put the scopes' claims in the ID token itself, as Entra ID and Okta
  // do for groups, rather than only at the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['qdev-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = JSON.parse(fs.readFileSync(cfg.accounts_file, 'utf8'))[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`${issuer}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
