// CodeBuild 0.2's shell model in a real container: what carries over between items and phases, and what does not.
import { expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { runBuildspec } from '../support/build-harness.js';

describeDocker('build shell model', () => {
  it('carries the working directory and variables across items and phases', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  install:
    commands:
      - mkdir -p a/b && cd a
      - cd b
      - TAG=$(echo v1-$CODEBUILD_BUILD_NUMBER)
      - export EXPORTED=yes
  build:
    commands:
      - pwd
      - echo "TAG=$TAG EXPORTED=$EXPORTED"
      - sh -c 'echo child sees $TAG'
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['/codebuild/output/src1/src/a/b', 'TAG=v1-7 EXPORTED=yes', 'child sees v1-7']);
  });

  it('does not carry functions, set -e, or shell options; exit 0 ends only its item', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
env:
  shell: bash
phases:
  build:
    commands:
      - greet() { echo hi; }; set -e; ARR=(1 2 3); greet
      - greet || echo "no function"
      - false; echo "set -e did not carry"
      - echo "array:\${ARR[1]:-gone}"
      - echo before; exit 0; echo never
      - echo "after exit 0"
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output.filter((l) => !l.includes('command not found'))).toEqual([
      'hi',
      'no function',
      'set -e did not carry',
      'array:gone',
      'before',
      'after exit 0',
    ]);
  });

  it('counts only the last status of a multi-line item, unless it sets -e itself', async () => {
    const ok = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - |
        false
        echo "went on"
`);
    expect(ok.result.status).toBe('SUCCEEDED');
    expect(ok.output).toEqual(['went on']);
    const failing = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - |
        set -e
        false
        echo "never"
`);
    expect(failing.result.status).toBe('FAILED');
    expect(failing.output).toEqual([]);
  });

  it('uses sh (dash) by default and bash with env.shell', async () => {
    const sh = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - '[[ 1 == 1 ]] && echo bash-test'
`);
    expect(sh.result.status).toBe('FAILED');
    expect(sh.output.join('\n')).toContain('[[: not found');
    const bash = await runBuildspec(`version: 0.2
env:
  shell: bash
phases:
  build:
    commands:
      - '[[ 1 == 1 ]] && echo bash-test'
`);
    expect(bash.result.status).toBe('SUCCEEDED');
    expect(bash.output).toEqual(['bash-test']);
  });

  it('injects values literally, keeps scalars as written, and lets the action win over the buildspec', async () => {
    const { result, output } = await runBuildspec(
      `version: 0.2
env:
  variables:
    LITERAL: $PATH:/x
    PY: 3.10
    FLAG: yes
    CI: true
    EMPTY:
    OVERRIDDEN: from-buildspec
phases:
  build:
    commands:
      - echo "$LITERAL|$PY|$FLAG|$CI|$EMPTY|$OVERRIDDEN|$FROM_ACTION"
      - echo "$CODEBUILD_SRC_DIR $CODEBUILD_BUILD_ID $CODEBUILD_RESOLVED_SOURCE_VERSION $CODEBUILD_INITIATOR $CODEBUILD_BUILD_SUCCEEDING"
`,
      { environment: { OVERRIDDEN: 'from-action', FROM_ACTION: '$HOME', CODEBUILD_SRC_DIR: '/nope' } },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(output[0]).toBe('$PATH:/x|3.10|yes|true||from-action|$HOME');
    expect(output[1]).toMatch(/^\/codebuild\/output\/src1\/src test:\d+ abc123 codepipeline\/test 1$/);
  });

  it('exports the final values of exported-variables', async () => {
    const { result } = await runBuildspec(`version: 0.2
env:
  exported-variables: [IMAGE_TAG, STAGE]
  variables:
    STAGE: initial
phases:
  pre_build:
    commands:
      - IMAGE_TAG=first
  post_build:
    commands:
      - IMAGE_TAG="$IMAGE_TAG-final"
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.exportedVariables).toEqual({ IMAGE_TAG: 'first-final', STAGE: 'initial' });
  });

  it('runs items one after another in one agent: output without a newline, stdin closed, any text intact', async () => {
    const { result, output, lines } = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - printf 'no newline'
      - echo next
      - cat; read x || echo "stdin is closed"
      - echo 'to stderr' >&2
      - printf '%s|%s|%s\\n' "it's \\"quoted\\"" "$(echo sub $CODEBUILD_BUILD_NUMBER)" '\\x1e ✓'
      - |
        echo first line
        echo second line
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['no newline', 'next', 'stdin is closed', 'to stderr', 'it\'s "quoted"|sub 7|\\x1e ✓', 'first line', 'second line']);
    expect(lines.filter((l) => l.includes('pipe-agent'))).toEqual([]);
  });

  it('does not wait for a process an item left in the background; what it prints later is still in the log', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - mkfifo /tmp/go /tmp/done
      - (cat /tmp/go >/dev/null; echo late; echo x > /tmp/done) &
      - echo now
      - echo go > /tmp/go; cat /tmp/done >/dev/null
      - echo after
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['now', 'late', 'after']);
  });
});
