#!/bin/sh
# Fetches htmx.org from npm at the pinned version into web/static, with its
# licence as a header comment. Run through `go generate ./internal/console`
# when moving to another version: change VERSION and INTEGRITY together
# (INTEGRITY is what `npm view htmx.org@VERSION dist.integrity` prints).
# Nothing runs Node at run time: the file is embedded in the binary.
set -eu
VERSION=2.0.11
INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@$VERSION" >/dev/null
tgz=htmx.org-$VERSION.tgz
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
	echo "vendor-htmx.sh: $tgz has integrity $got, want $INTEGRITY" >&2
	exit 1
fi
tar xzf "$tgz" package/dist/htmx.min.js package/LICENSE
{
	printf '/*! htmx.org@%s (dist/htmx.min.js, %s) | https://htmx.org\n' "$VERSION" "$INTEGRITY"
	cat package/LICENSE
	printf '*/\n'
	cat package/dist/htmx.min.js
	printf '\n'
} >"$here/web/static/htmx.min.js"
echo "vendored htmx.org@$VERSION into web/static/htmx.min.js"
