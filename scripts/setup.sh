#!/usr/bin/env bash
# Sets a machine up for pipe, idempotently: a Docker engine that answers, the local build images
# pipe/standard:1 (minimal, for fast tests) and pipe/standard:7.0 (CodeBuild's tools, scripts/images/), and the
# project's npm packages. With --test, also the real clients the tests use (AWS CLI v2 from Debian at /usr/bin/aws,
# boto3 for /usr/bin/python3 from Debian, git, zip, tmux, chromium). Quick the second time: every step checks before it acts.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
IMAGE=${PIPE_IMAGE:-pipe/standard:1}
STANDARD_IMAGE=pipe/standard:7.0
WITH_TEST=0
WITH_STANDARD=1
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    --no-standard) WITH_STANDARD=0 ;;
    -h|--help)
      echo "usage: scripts/setup.sh [--test] [--no-standard]"
      echo "  Installs and starts a Docker engine if none answers, builds $IMAGE if missing,"
      echo "  builds $STANDARD_IMAGE (CodeBuild's tools, about 6 minutes and 3 GB) if missing or if"
      echo "  its definition (scripts/images/) changed, runs npm install."
      echo "  --test also installs the test clients (awscli v2, python3-boto3, git, zip, tmux, chromium); --no-standard skips $STANDARD_IMAGE."
      exit 0 ;;
    *) echo "setup: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

APT_UPDATED=0
apt_install() {
  is_root && is_debian || die "need these Debian packages: $*; install them (as root: apt-get install -y $*)"
  if [ "$APT_UPDATED" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_docker() {
  if docker_answers; then say "docker engine answers"; return; fi
  if ! command -v dockerd >/dev/null 2>&1; then apt_install docker.io; fi
  if docker_answers; then return; fi
  is_root || die "no Docker engine answers and this user cannot start one; start dockerd and run again"
  mkdir -p "$ROOT/.pipe"
  local log="$ROOT/.pipe/dockerd.log"
  say "starting dockerd (log: $log)"
  # No bridge and no iptables: containers use host networking and stay on loopback.
  nohup dockerd --bridge=none --iptables=false >"$log" 2>&1 &
  for _ in $(seq 1 120); do
    if docker_answers; then say "docker engine answers"; return; fi
    sleep 0.5
  done
  tail -n 20 "$log" >&2 || true
  die "dockerd did not answer within 60s; see $log"
}

ensure_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then say "image $IMAGE present"; return; fi
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local rootfs
  rootfs=$(mktemp -d /tmp/pipe-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  say "building $IMAGE with debootstrap (about a minute)"
  debootstrap --variant=minbase --include=nodejs,python3,git,zip,unzip,ca-certificates \
    bookworm "$rootfs" >"$rootfs.log" 2>&1 || { tail -n 30 "$rootfs.log" >&2; die "debootstrap failed; log: $rootfs.log"; }
  # CodeBuild's curated images carry a codebuild-user for run-as.
  chroot "$rootfs" useradd --create-home --shell /bin/bash codebuild-user
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  trap - EXIT
  say "image $IMAGE built"
}

# pipe/standard:7.0 carries the digest of its definition as a label: rebuilt only when the definition changes.
ensure_standard_image() {
  local want have old
  want=$(bash scripts/images/standard-7.0.sh --digest)
  have=$(docker image inspect --format '{{ index .Config.Labels "pipe.image.digest" }}' "$STANDARD_IMAGE" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then say "image $STANDARD_IMAGE present (definition $want)"; return; fi
  if [ -n "$have" ]; then
    say "image $STANDARD_IMAGE is of definition $have, scripts/images/ says $want: rebuilding"
  else
    say "building $STANDARD_IMAGE (definition $want; about 6 minutes)"
  fi
  is_root || die "building $STANDARD_IMAGE needs root (debootstrap, chroot); run as root, or pass --no-standard"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  old=$(docker image inspect --format '{{.Id}}' "$STANDARD_IMAGE" 2>/dev/null || true)
  bash scripts/images/standard-7.0.sh "$STANDARD_IMAGE"
  # The previous build is now untagged; remove it unless a container still uses it.
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect --format '{{.Id}}' "$STANDARD_IMAGE")" ]; then
    docker image rm "$old" >/dev/null 2>&1 || say "previous $STANDARD_IMAGE ($old) is still in use; left in place"
  fi
}

ensure_npm() {
  if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    say "npm packages installed; building"
    npm run --silent build >/dev/null
    return
  fi
  say "npm install"
  npm install --no-audit --no-fund --loglevel=error
}

# The tests drive /usr/bin/aws and /usr/bin/python3 (not whatever else is first on PATH), so those are checked.
aws_cli_v2() { /usr/bin/aws --version 2>/dev/null | grep -q '^aws-cli/2\.'; }
system_boto3() { /usr/bin/python3 -c 'import boto3, botocore' >/dev/null 2>&1; }

ensure_test_clients() {
  local missing=()
  aws_cli_v2 || missing+=(awscli)
  system_boto3 || missing+=(python3-boto3)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v zip >/dev/null 2>&1 || missing+=(zip)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  # The dashboard's browser tests drive Debian's Chromium through playwright-core (no browser download).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; else say "test clients present"; fi
  aws_cli_v2 || die "/usr/bin/aws is not the AWS CLI v2 ($(/usr/bin/aws --version 2>&1 | head -n 1)); the tests need v2 there"
  system_boto3 || die "/usr/bin/python3 cannot import boto3 after installing python3-boto3"
}

ensure_docker
ensure_image
if [ "$WITH_STANDARD" = 1 ]; then ensure_standard_image; fi
if [ "$WITH_TEST" = 1 ]; then ensure_test_clients; fi
ensure_npm
say "ready"
