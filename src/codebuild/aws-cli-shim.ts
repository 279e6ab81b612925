// The AWS CLI v2 before 2.13 (Debian bookworm's awscli 2.9, in pipe/standard:7.0) ignores AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>: a build's `aws ssm get-parameter` would go to AWS. For such a CLI the build gets a
// small `aws` in /usr/local/bin (ahead of /usr/bin on the image's PATH) that passes the variable as --endpoint-url,
// as 2.13 and later do themselves. Nothing is written where the CLI is newer, absent, or not Debian's package.

/** The wrapper: finds the service word after the global options, and its endpoint variable, else AWS_ENDPOINT_URL. */
const SHIM = `#!/bin/sh
# Written by pipe: this AWS CLI (before 2.13) ignores AWS_ENDPOINT_URL; pass it as --endpoint-url, as 2.13+ does.
real=/usr/bin/aws
for a in "$@"; do case "$a" in --endpoint-url|--endpoint-url=*) exec "$real" "$@" ;; esac; done
service=
skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case "$a" in
    --region|--profile|--output|--query|--color|--ca-bundle|--cli-read-timeout|--cli-connect-timeout|--cli-binary-format) skip=1 ;;
    -*) ;;
    *) service=$a; break ;;
  esac
done
case "$service" in
  ''|help|configure|history) exec "$real" "$@" ;;
  s3api) var=AWS_ENDPOINT_URL_S3 ;;
  secretsmanager) var=AWS_ENDPOINT_URL_SECRETS_MANAGER ;;
  deploy) var=AWS_ENDPOINT_URL_CODEDEPLOY ;;
  *) var=AWS_ENDPOINT_URL_$(printf '%s' "$service" | tr 'a-z-' 'A-Z_') ;;
esac
url=$(printenv "$var" || true)
[ -n "$url" ] || url=\${AWS_ENDPOINT_URL:-}
[ -n "$url" ] || exec "$real" "$@"
exec "$real" --endpoint-url "$url" "$@"
`;

/**
 * The shell script that installs the wrapper when the container's `aws` is Debian's awscli 2.x before 2.13
 * (dpkg answers in milliseconds, where `aws --version` takes a second) and /usr/local/bin/aws is free.
 */
export function awsCliShimScript(): string {
  return [
    '[ -x /usr/bin/aws ] && [ ! -e /usr/local/bin/aws ] && command -v dpkg-query >/dev/null || exit 0',
    "v=$(dpkg-query -W -f '${Version}' awscli 2>/dev/null) || exit 0",
    'major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}',
    '[ "$major" = 2 ] && [ "$minor" -lt 13 ] 2>/dev/null || exit 0',
    "cat > /usr/local/bin/aws <<'PIPE_SHIM'",
    SHIM.trimEnd(),
    'PIPE_SHIM',
    'chmod 755 /usr/local/bin/aws',
  ].join('\n');
}
