#!/usr/bin/env bash
# Puts Debian's arm64 Node (with the arm64 libraries it needs) into a private
# folder, build-arm64/node-root by default, to run the linux-arm64 prebuild
# under qemu-user (scripts/test-prebuild.js). The packages are downloaded and
# unpacked, not installed: the host's own Node and libraries stay untouched
# (Debian's nodejs:arm64 would replace an installed nodejs:amd64).
# Needs root for the one-time `dpkg --add-architecture arm64`.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)/build-arm64/node-root}"
if [ -x "$root/usr/bin/node" ]; then echo "arm64 Node already in $root"; exit 0; fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
# nodejs and the libraries it links (apt-cache depends --recurse nodejs:arm64,
# less what the host provides as Architecture: all or never loads).
pkgs=(nodejs:arm64 libnode108:arm64 libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64
      libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64 libc6:arm64
      libstdc++6:arm64 libgcc-s1:arm64 node-acorn node-cjs-module-lexer node-undici
      node-busboy node-xtend)
debs="$(mktemp -d)"
trap 'rm -rf "$debs"' EXIT
chown _apt "$debs" 2>/dev/null || true  # apt downloads as _apt where it can
(cd "$debs" && apt-get download -qq "${pkgs[@]}")
tmp="$root.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
for d in "$debs"/*.deb; do dpkg -x "$d" "$tmp"; done
rm -rf "$root"
mv "$tmp" "$root"
echo "arm64 Node unpacked into $root: $(qemu-aarch64 -L "$root" "$root/usr/bin/node" --version 2>/dev/null || echo '(qemu-aarch64 missing)')"
