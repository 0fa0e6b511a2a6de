#!/usr/bin/env bash
# Re-vendor the browser libraries from the npm registry (npm pack; no node_modules, no package.json).
# Usage: static/vendor/update.sh [SOCKET_IO_CLIENT_VERSION] [AXE_CORE_VERSION]
# Then update the versions table in static/vendor/README.md and commit static/vendor/.
set -euo pipefail
SIO_VERSION="${1:-4.8.4}"
AXE_VERSION="${2:-4.14.1}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() { # name version -> extracted package dir
    local name="$1" version="$2" tgz
    tgz="$(cd "$tmp" && npm pack --silent "${name}@${version}" | tail -n1)"
    mkdir -p "$tmp/$name"
    tar -xzf "$tmp/$tgz" -C "$tmp/$name"
    echo "$tmp/$name/package"
}

pkg="$(fetch socket.io-client "$SIO_VERSION")"
mkdir -p "$here/socket.io"
cp "$pkg/dist/socket.io.min.js" "$here/socket.io/socket.io.min.js"
cp "$pkg/LICENSE" "$here/socket.io/LICENSE"
# The .map is not vendored: drop the sourceMappingURL so browsers don't request it.
sed -i '/^\/\/# sourceMappingURL=/d' "$here/socket.io/socket.io.min.js"

pkg="$(fetch axe-core "$AXE_VERSION")"
mkdir -p "$here/axe-core"
cp "$pkg/axe.min.js" "$here/axe-core/axe.min.js"
cp "$pkg/LICENSE" "$here/axe-core/LICENSE"
[ -f "$pkg/LICENSE-3RD-PARTY.txt" ] && cp "$pkg/LICENSE-3RD-PARTY.txt" "$here/axe-core/LICENSE-3RD-PARTY.txt"

echo "vendored socket.io-client ${SIO_VERSION} and axe-core ${AXE_VERSION} into ${here}"
(cd "$here" && sha256sum socket.io/socket.io.min.js axe-core/axe.min.js)
