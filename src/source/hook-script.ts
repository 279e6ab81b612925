// The hook pipe installs: a small POSIX sh script that runs the hook it replaced first (keeping its exit status),
// keeps the branch and tag updates git committed, appends them to a spool file under PIPE_HOME and starts one
// detached `pipe hooks run`. It never waits on node, and nothing it does can fail git's command.

/** The line that marks a hook file as pipe's. */
export const HOOK_MARKER = '# installed by pipe hooks install';
/** The hook pipe installs: it sees every ref update (commit, merge, rebase, tag, a push received by a bare repository). */
export const HOOK_NAME = 'reference-transaction';
/** Where the hook found at install time is kept, beside pipe's, to be run first and put back by uninstall. */
export const CHAINED_SUFFIX = '.pipe-chained';

export interface HookScriptOptions {
  home: string;
  artifactRoot: string;
  node: string;
  bin: string;
  /** The hook pipe's replaced (run first), absolute. */
  chained: string;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(o: HookScriptOptions): string {
  return `#!/bin/sh
${HOOK_MARKER}: starts the pipelines whose triggers match a branch or tag
# update, in the background; \`pipe hooks status\` shows what it did, \`pipe hooks uninstall\` removes it.
PIPE_HOME=${quote(o.home)}
PIPE_ARTIFACTS=${quote(o.artifactRoot)}
pipe_node=${quote(o.node)}
pipe_bin=${quote(o.bin)}
chained=${quote(o.chained)}
# Only a committed transaction starts anything: without a hook to run first, the others end here.
[ "$1" = committed ] || [ -x "$chained" ] || exit 0
# Branch and tag updates that name a new commit. The first lines are read by the shell (a commit has two); the rest
# of a long transaction (a fetch of thousands of refs) goes to one awk, as a shell loop over it would take seconds.
keep_updates='$3 ~ /^refs\\/(heads|tags)\\// && $2 ~ /[^0]/ && $1 != $2'
nl='
'
keep=
status=0
if [ -x "$chained" ]; then
  input=$(cat)
  printf '%s\\n' "$input" | "$chained" "$@"
  status=$?
  [ "$1" = committed ] || exit $status
  keep=$(printf '%s\\n' "$input" | awk "$keep_updates")
else
  n=0
  while [ $n -lt 16 ] && IFS= read -r line; do
    n=$((n + 1))
    old=\${line%% *}; rest=\${line#* }; new=\${rest%% *}; ref=\${rest#* }
    case $ref in refs/heads/*|refs/tags/*) ;; *) continue ;; esac
    case $new in *[!0]*) ;; *) continue ;; esac
    [ "$old" = "$new" ] || keep="$keep$line$nl"
  done
  if [ $n -ge 16 ]; then
    more=$(awk "$keep_updates")
    [ -z "$more" ] || keep="$keep$more$nl"
  fi
fi
[ -n "$keep" ] || exit $status
created=
case "$nl$keep" in *"$nl"0000000000000000000000000000000000000000*) created=1 ;; esac
# \`git pack-refs\` (and \`git gc\`, which runs it) moves loose refs into packed-refs as if each were created: not an update.
if [ -n "$created" ] && [ -r "/proc/$PPID/cmdline" ]; then
  case $(tr '\\0' ' ' <"/proc/$PPID/cmdline" 2>/dev/null) in *pack-refs*) exit $status ;; esac
fi
problem="$PIPE_HOME/hooks/problem"
if [ -f "$problem" ] && IFS= read -r said <"$problem"; then
  echo "pipe: an earlier update started nothing: $said (pipe hooks status)" >&2
  rm -f "$problem"
fi
log="$PIPE_HOME/hooks/hook.log"
say() {
  echo "pipe: $1; no pipeline started (pipe hooks status)" >&2
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) hook: $1" >>"$log" 2>/dev/null
}
if [ ! -x "$pipe_node" ]; then
  found=$(command -v node 2>/dev/null) || { say "node not found (it was $pipe_node when pipe hooks install ran)"; exit $status; }
  pipe_node=$found
fi
[ -f "$pipe_bin" ] || { say "pipe is not at $pipe_bin any more; run pipe hooks install again"; exit $status; }
spool="$PIPE_HOME/hooks/spool"
name="$(date +%s%N)-$$"
umask 077
if ! { { [ -d "$spool" ] || mkdir -p "$spool"; } && printf '%s\\n%s\\n%s\\n' "$PWD" ${HOOK_NAME} "$keep" >"$spool/.$name" && mv "$spool/.$name" "$spool/$name"; } 2>/dev/null; then
  say "cannot write to $spool"
  exit $status
fi
# A live \`pipe hooks run\` looks at the spool again after letting go of its lock, so it takes this update too.
lock="$PIPE_HOME/hooks/run.lock"
if [ -f "$lock" ] && IFS= read -r holder <"$lock" && [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
  exit $status
fi
export PIPE_HOME PIPE_ARTIFACTS
# Niced, so that node starting up does not compete with the rest of git's command.
if command -v setsid >/dev/null 2>&1; then
  setsid nice -n 10 "$pipe_node" "$pipe_bin" hooks run </dev/null >>"$log" 2>&1 &
else
  nohup nice -n 10 "$pipe_node" "$pipe_bin" hooks run </dev/null >>"$log" 2>&1 &
fi
exit $status
`;
}
