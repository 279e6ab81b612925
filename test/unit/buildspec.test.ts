// Buildspec parser rules, one by one: exact messages and positions, tolerances and their warnings, the plan view.
import { describe, expect, it } from 'vitest';
import { PipeError, ValidationError } from '../../src/core/index.js';
import type { BuildSpec } from '../../src/core/index.js';
import {
  describeBuildspec, loadBuildspec, parseBuildspec, parseOnFailure, parseSecretReference,
} from '../../src/parse/buildspec.js';

/** Strips the common indentation of a template literal, so YAML can be written indented in the test. */
function yaml(strings: TemplateStringsArray, ...values: string[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? `\u0000${i}\u0000` : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  const dedented = lines.map((l) => l.slice(indent)).join('\n');
  // Interpolated blocks (such as BUILD) are inserted after dedenting, at column 0 where they stand.
  return dedented.replace(/\u0000(\d+)\u0000\n?/g, (_m, i: string) => values[Number(i)] ?? '');
}

function parse(text: string): BuildSpec {
  return parseBuildspec(text, 'buildspec.yml');
}

/** Every problem as `line:col path: message`, in the order the error reports them. */
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.problems.map((p) => `${p.location.line}:${p.location.column} ${p.path}: ${p.message}`);
  }
  throw new Error('expected the buildspec to be rejected');
}

function warnings(text: string): string[] {
  return parse(text).warnings.map((w) => `${w.location.line}:${w.location.column} ${w.kind} ${w.path}: ${w.message}`);
}

const BUILD = 'phases:\n  build:\n    commands:\n      - make\n';

describe('version', () => {
  it.each(['0.2', '"0.2"', "'0.2'"])('accepts version: %s', (v) => {
    const spec = parse(`version: ${v}\n${BUILD}`);
    expect(spec.version).toBe('0.2');
    expect(spec.warnings).toEqual([]);
  });

  it('accepts 0.1 and says that nothing carries over between commands', () => {
    const spec = parse(`version: 0.1\n${BUILD}`);
    expect(spec.version).toBe('0.1');
    expect(warnings(`version: 0.1\n${BUILD}`)).toMatchInlineSnapshot(`
      [
        "1:10 tolerated version: version 0.1: every command runs in its own shell, so cd and variables do not carry over; 0.2 is recommended",
      ]
    `);
  });

  it('rejects 0.20, 0.3 and a missing version', () => {
    expect(problems(`version: 0.20\n${BUILD}`)).toMatchInlineSnapshot(`
      [
        "1:10 version: unsupported buildspec version '0.20'; expected 0.2 (or 0.1)",
      ]
    `);
    expect(problems(`version: 0.3\n${BUILD}`)[0]).toContain("unsupported buildspec version '0.3'");
    expect(problems(BUILD)).toMatchInlineSnapshot(`
      [
        "1:1 version: missing 'version': the first line of a buildspec is usually \`version: 0.2\`",
      ]
    `);
  });

  it('rejects the pre-GA 0.0 format and names its keys', () => {
    const text = yaml`
      version: 0.0
      environment_variables:
        plaintext:
          A: b
      containers:
        Fn:
          phases:
            during_build:
              commands: [make]
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "1:1 phases: missing 'phases': a buildspec needs phases (install, pre_build, build, post_build) or a batch",
        "1:10 version: unsupported buildspec version '0.0'; expected 0.2 (or 0.1) (this is the pre-GA format: environment_variables, containers, during_build are not buildspec keys)",
      ]
    `);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(problems('')).toEqual(["1:1 : expected a buildspec (a mapping with version and phases), got an empty file"]);
    expect(problems('- a\n- b\n')).toEqual(['1:1 : expected a buildspec (a mapping with version and phases), got a list']);
  });
});

describe('literal scalars', () => {
  it('keeps env values as their source text; null becomes ""', () => {
    const spec = parse(yaml`
      version: 0.2
      env:
        variables:
          PY: 3.10
          CI: yes
          HEX: 0x10
          EXP: 1e3
          NOTHING: ~
          EMPTY:
          FLAG: true
          PATH: $PATH:/x
          QUOTED: "0.10"
      ${BUILD}
    `);
    expect(spec.env.variables).toEqual({
      PY: '3.10', CI: 'yes', HEX: '0x10', EXP: '1e3', NOTHING: '', EMPTY: '', FLAG: 'true', PATH: '$PATH:/x', QUOTED: '0.10',
    });
  });

  it('rejects lists and mappings as variable values', () => {
    const text = yaml`
      version: 0.2
      env:
        variables:
          LIST: [a, b]
          MAP:
            nested: x
      ${BUILD}
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "4:11 env.variables.LIST: expected a plain value (string, number or boolean), got a list",
        "6:7 env.variables.MAP: expected a plain value (string, number or boolean), got a mapping",
      ]
    `);
  });
});

describe('env', () => {
  it('reads parameter-store, secrets-manager (structured), exported-variables, shell and git-credential-helper', () => {
    const spec = parse(yaml`
      version: 0.2
      env:
        shell: bash
        parameter-store:
          DB_PASS: /prod/db/password
        secrets-manager:
          WHOLE: my-secret
          KEY: my-secret:api key
          STAGED: my-secret:key:AWSPREVIOUS
          BY_ID: my-secret:key::0123-abcd
          ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-AbCdEf:token
        exported-variables:
          - IMAGE_TAG
          - VERSION
        git-credential-helper: yes
      ${BUILD}
    `);
    expect(spec.env.shell).toBe('bash');
    expect(spec.env.parameterStore).toEqual({ DB_PASS: '/prod/db/password' });
    expect(spec.env.secretsManager).toEqual({
      WHOLE: { text: 'my-secret', secretId: 'my-secret' },
      KEY: { text: 'my-secret:api key', secretId: 'my-secret', jsonKey: 'api key' },
      STAGED: { text: 'my-secret:key:AWSPREVIOUS', secretId: 'my-secret', jsonKey: 'key', versionStage: 'AWSPREVIOUS' },
      BY_ID: { text: 'my-secret:key::0123-abcd', secretId: 'my-secret', jsonKey: 'key', versionId: '0123-abcd' },
      ARN: {
        text: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-AbCdEf:token',
        secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-AbCdEf',
        jsonKey: 'token',
      },
    });
    expect(spec.env.exportedVariables).toEqual(['IMAGE_TAG', 'VERSION']);
    expect(spec.env.gitCredentialHelper).toBe(true);
    expect(spec.warnings.map((w) => w.message)).toEqual([
      'git-credential-helper has no effect locally: pipe holds no source credentials to hand to git',
    ]);
  });

  it('parses secret references from the right shape only', () => {
    expect(parseSecretReference('arn:aws:secretsmanager:eu-west-1:1:secret:x')).toEqual({
      ok: true, reference: { text: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' },
    });
    expect(parseSecretReference('s:k:AWSCURRENT:id')).toEqual({
      ok: false, message: "'s:k:AWSCURRENT:id' names both a version stage and a version id; give one of them",
    });
    expect(parseSecretReference('s:a:b:c:d')).toMatchObject({ ok: false });
    expect(parseSecretReference(':key')).toMatchObject({ ok: false });
    expect(parseSecretReference('arn:aws:secretsmanager')).toMatchObject({ ok: false });
  });

  it('rejects CODEBUILD_ names, exported AWS_ names and exported secrets', () => {
    const text = yaml`
      version: 0.2
      env:
        variables:
          CODEBUILD_SRC_DIR: /tmp
        secrets-manager:
          TOKEN: s:k:AWSCURRENT:v1
          CODEBUILD_X: s
          PASS: s
        exported-variables:
          - AWS_REGION
          - PASS
          - 9lives
      ${BUILD}
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "4:5 env.variables.CODEBUILD_SRC_DIR: 'CODEBUILD_SRC_DIR' is reserved: names starting with CODEBUILD_ are set by the build, not the buildspec",
        "6:12 env.secrets-manager.TOKEN: 's:k:AWSCURRENT:v1' names both a version stage and a version id; give one of them",
        "7:5 env.secrets-manager.CODEBUILD_X: 'CODEBUILD_X' is reserved: names starting with CODEBUILD_ are set by the build, not the buildspec",
        "10:7 env.exported-variables[0]: 'AWS_REGION' cannot be exported: names starting with AWS_ are reserved",
        "11:7 env.exported-variables[1]: 'PASS' cannot be exported: it holds a secrets-manager value",
        "12:7 env.exported-variables[2]: '9lives' is not a variable name (letters, digits and _)",
      ]
    `);
  });

  it('accepts Windows shells with a warning, rejects unknown shells', () => {
    expect(warnings(`version: 0.2\nenv:\n  shell: cmd.exe\n${BUILD}`)).toMatchInlineSnapshot(`
      [
        "3:10 unsupported-locally env.shell: shell cmd.exe needs a Windows container; pipe runs Linux containers only",
      ]
    `);
    expect(parse(`version: 0.2\nenv:\n  shell: powershell.exe\n${BUILD}`).env.shell).toBe('powershell.exe');
    expect(problems(`version: 0.2\nenv:\n  shell: zsh\n${BUILD}`)).toMatchInlineSnapshot(`
      [
        "3:10 env.shell: unknown shell 'zsh'; expected bash or /bin/sh (Linux), powershell.exe or cmd.exe (Windows)",
      ]
    `);
  });

  it('rejects unknown env keys with a suggestion', () => {
    expect(problems(`version: 0.2\nenv:\n  variable:\n    A: b\n${BUILD}`)).toMatchInlineSnapshot(`
      [
        "3:3 env.variable: unknown key 'variable'; did you mean 'variables'?",
      ]
    `);
  });
});

describe('phases', () => {
  it('reads every phase key; commands keep | newlines, > folds', () => {
    const spec = parse(yaml`
      version: 0.2
      run-as: builder
      phases:
        install:
          run-as: root
          on-failure: ABORT
          runtime-versions:
            nodejs: 18
            python: 3.10
          commands:
            - npm ci
        build:
          on-failure: RETRY-2-timed out
          commands:
            - |
              cd app
              make
            - >
              echo one
              two
          finally:
            - echo done
    `);
    expect(spec.runAs).toBe('builder');
    expect(spec.phases.install).toMatchObject({
      runAs: 'root', onFailure: { kind: 'ABORT' }, runtimeVersions: { nodejs: '18', python: '3.10' },
    });
    expect(spec.phases.build?.onFailure).toEqual({ kind: 'RETRY', count: 2, pattern: 'timed out' });
    expect(spec.phases.build?.commands.map((c) => c.text)).toEqual(['cd app\nmake\n', 'echo one two\n']);
    expect(spec.phases.build?.commands[0]?.location).toEqual({ file: 'buildspec.yml', line: 15, column: 9 });
    expect(spec.phases.build?.finally.map((c) => c.text)).toEqual(['echo done']);
  });

  it('takes a scalar as a one-item list and skips null items with a warning', () => {
    const text = yaml`
      version: 0.2
      phases:
        pre_build:
          commands: make test
        build:
          commands:
            - echo a
            - # a comment only
            - echo b
            -
        post_build:
    `;
    const spec = parse(text);
    expect(spec.phases.pre_build?.commands.map((c) => c.text)).toEqual(['make test']);
    expect(spec.phases.build?.commands.map((c) => c.text)).toEqual(['echo a', 'echo b']);
    expect(spec.phases.post_build).toEqual({ runtimeVersions: {}, commands: [], finally: [] });
    expect(warnings(text)).toMatchInlineSnapshot(`
      [
        "8:7 tolerated phases.build.commands[1]: empty command (a \`-\` with nothing after it, or only a comment) skipped",
        "10:7 tolerated phases.build.commands[3]: empty command (a \`-\` with nothing after it, or only a comment) skipped",
        "11:3 tolerated phases.post_build: phase post_build is empty (null): nothing runs in it",
      ]
    `);
  });

  it('rejects unknown phases, unknown phase keys, mapping commands and misplaced runtime-versions', () => {
    const text = yaml`
      version: 0.2
      phases:
        prebuild:
          commands: [make]
        test:
          commands: [make test]
        build:
          script:
            - make
          runtime-versions:
            nodejs: 18
          commands:
            - echo key: value
            - [nested]
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "3:3 phases.prebuild: unknown phase 'prebuild' (did you mean 'pre_build'?); phases are install, pre_build, build, post_build",
        "5:3 phases.test: unknown phase 'test'; phases are install, pre_build, build, post_build",
        "8:5 phases.build.script: unknown key 'script'; expected one of: run-as, on-failure, runtime-versions, commands, finally",
        "11:7 phases.build.runtime-versions: runtime-versions is allowed only in the install phase, not in build",
        "13:9 phases.build.commands[0]: expected a command string, got a mapping (a command containing ': ' must be quoted)",
        "14:9 phases.build.commands[1]: expected a command string, got a list",
      ]
    `);
  });

  it('requires phases unless the file defines a batch', () => {
    expect(problems('version: 0.2\nenv:\n  variables:\n    A: b\n')).toMatchInlineSnapshot(`
      [
        "1:1 phases: missing 'phases': a buildspec needs phases (install, pre_build, build, post_build) or a batch",
      ]
    `);
    const text = 'version: 0.2\nbatch:\n  build-list:\n    - identifier: a\n';
    expect(parse(text).phases).toEqual({});
    expect(warnings(text)).toEqual([
      '2:1 tolerated phases: no phases: this buildspec only defines a batch, so it runs only as a batch build',
    ]);
  });

  it('keeps runtime-versions as written, without a warning: which version runs depends on the image', () => {
    const text = yaml`
      version: 0.2
      env:
        variables:
          PY: "3.11"
      phases:
        install:
          runtime-versions:
            nodejs: 18.x
            python: $PY
            java: corretto17
            golang: latest
          commands: []
    `;
    expect(warnings(text)).toEqual([]);
    expect(parse(text).phases.install?.runtimeVersions).toEqual({ nodejs: '18.x', python: '$PY', java: 'corretto17', golang: 'latest' });
  });
});

describe('on-failure', () => {
  it.each([
    ['ABORT', { kind: 'ABORT' }],
    ['CONTINUE', { kind: 'CONTINUE' }],
    ['RETRY', { kind: 'RETRY', count: 3 }],
    ['RETRY-0', { kind: 'RETRY', count: 0 }],
    ['RETRY-100', { kind: 'RETRY', count: 100 }],
    ['RETRY-.*timeout.*', { kind: 'RETRY', count: 3, pattern: '.*timeout.*' }],
    ['RETRY-5-Error: [0-9]+', { kind: 'RETRY', count: 5, pattern: 'Error: [0-9]+' }],
    ['RETRY-2-3', { kind: 'RETRY', count: 2, pattern: '3' }],
  ])('%s', (text, value) => {
    expect(parseOnFailure(text)).toEqual({ ok: true, value });
  });

  it('rejects the rest with a reason', () => {
    const text = yaml`
      version: 0.2
      phases:
        install:
          on-failure: abort
        pre_build:
          on-failure: RETRY-101
        build:
          on-failure: RETRY-([
        post_build:
          on-failure: SKIP
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "4:17 phases.install.on-failure: 'abort' must be written in capitals; expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>",
        "6:17 phases.pre_build.on-failure: retry count 101 is out of range; RETRY-<count> takes 0 to 100",
        "8:17 phases.build.on-failure: '([' in 'RETRY-([' is not a valid regular expression (Invalid regular expression: /([/: Unterminated character class)",
        "10:17 phases.post_build.on-failure: unknown on-failure 'SKIP'; expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>",
      ]
    `);
    expect(parseOnFailure('RETRY-3-')).toMatchObject({ ok: false });
  });
});

describe('artifacts, cache, reports', () => {
  it('reads every artifacts key, primary and secondary', () => {
    const text = yaml`
      version: 0.2
      ${BUILD}
      artifacts:
        type: zip
        files: '**/*'
        name: build-$(date +%Y-%m-%d)
        base-directory: 'dist*'
        discard-paths: yes
        exclude-paths:
          - ./.git/**/*
        enable-symlinks: TRUE
        s3-prefix: builds
        secondary-artifacts:
          Layer:
            files: [layer.zip]
            discard-paths: no
    `;
    const spec = parse(text);
    expect(spec.artifacts).toEqual({
      files: ['**/*'], name: 'build-$(date +%Y-%m-%d)', baseDirectory: 'dist*', discardPaths: true,
      excludePaths: ['./.git/**/*'], enableSymlinks: true, s3Prefix: 'builds',
      secondaryArtifacts: { Layer: { files: ['layer.zip'], discardPaths: false, excludePaths: [], enableSymlinks: false } },
    });
    expect(warnings(text)).toMatchInlineSnapshot(`
      [
        "7:9 tolerated artifacts.type: artifacts.type is a 0.1-era key with no effect; artifacts are always zipped",
        "15:14 unsupported-locally artifacts.s3-prefix: s3-prefix has no local meaning: artifacts go to the local artifact store, not S3",
      ]
    `);
  });

  it('requires files, also for secondary artifacts, and checks booleans', () => {
    const text = yaml`
      version: 0.2
      ${BUILD}
      artifacts:
        base-directory: out
        discard-paths: maybe
        secondary-artifacts:
          Extra:
            name: x
            exclude: y
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "6:1 artifacts: missing 'files': list the globs of the files to collect ('**/*' for everything)",
        "8:18 artifacts.discard-paths: expected yes/no or true/false, got 'maybe'",
        "10:5 artifacts.secondary-artifacts.Extra: missing 'files': list the globs of the files to collect ('**/*' for everything)",
        "12:7 artifacts.secondary-artifacts.Extra.exclude: unknown key 'exclude'; expected one of: files, name, base-directory, discard-paths, exclude-paths, enable-symlinks, s3-prefix",
      ]
    `);
  });

  it('reads cache key, fallback-keys and action, within limits', () => {
    const ok = parse(`version: 0.2\n${BUILD}cache:\n  paths: ['/root/.npm/**/*']\n  key: npm-$(codebuild-hash-files package-lock.json)\n  fallback-keys: [npm-]\n  action: restore\n`);
    expect(ok.cache).toEqual({
      paths: ['/root/.npm/**/*'], key: 'npm-$(codebuild-hash-files package-lock.json)', fallbackKeys: ['npm-'], action: 'restore',
    });
    const text = yaml`
      version: 0.2
      ${BUILD}
      cache:
        paths: [node_modules/**/*]
        fallback-keys: [a, b, c, d, e, f]
        action: both
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "8:18 cache.fallback-keys: at most 5 fallback keys are allowed, got 6",
        "9:11 cache.action: unknown cache action 'both'; expected restore or save",
      ]
    `);
    expect(warnings(text.replace(', f]', ']').replace('action: both', 'action: save'))).toEqual([
      "8:18 tolerated cache.fallback-keys: fallback-keys are ignored without 'key'",
    ]);
  });

  it('reads reports with case-insensitive formats, test and coverage', () => {
    const spec = parse(yaml`
      version: 0.2
      ${BUILD}
      reports:
        unit:
          files: ['**/*.xml']
          base-directory: build/test-results
          file-format: JunitXml
        coverage:
          files: [coverage/clover.xml]
          file-format: cloverxml
          discard-paths: yes
        arn:aws:codebuild:us-east-1:123456789012:report-group/cucumber:
          files: [report.json]
          file-format: CucumberJson
        plain:
          files: [out.xml]
    `);
    expect(spec.reports).toEqual({
      unit: { files: ['**/*.xml'], baseDirectory: 'build/test-results', discardPaths: false, fileFormat: 'JUNITXML' },
      coverage: { files: ['coverage/clover.xml'], discardPaths: true, fileFormat: 'CLOVERXML' },
      'arn:aws:codebuild:us-east-1:123456789012:report-group/cucumber': { files: ['report.json'], discardPaths: false, fileFormat: 'CUCUMBERJSON' },
      plain: { files: ['out.xml'], discardPaths: false, fileFormat: 'JUNITXML' },
    });
    expect(problems(`version: 0.2\n${BUILD}reports:\n  r:\n    file-format: TAP\n`)).toMatchInlineSnapshot(`
      [
        "7:3 reports.r: missing 'files': list the globs of the report files",
        "8:18 reports.r.file-format: unknown report format 'TAP'; expected one of JUNITXML, CUCUMBERJSON, NUNITXML, NUNIT3XML, TESTNGXML, VISUALSTUDIOTRX, CLOVERXML, COBERTURAXML, JACOCOXML, SIMPLECOV",
      ]
    `);
  });
});

describe('batch', () => {
  it('reads a build-list with per-task buildspec and env, warning on what has no local meaning', () => {
    const text = yaml`
      version: 0.2
      batch:
        fast-fail: yes
        build-list:
          - identifier: linux
            buildspec: ci/linux.yml
            ignore-failure: true
            env:
              image: pipe/standard:1
              type: LINUX_CONTAINER
              compute-type: BUILD_GENERAL1_LARGE
              privileged-mode: true
              variables:
                TARGET: 3.10
          - identifier: windows
            debug-session: true
            env:
              type: WINDOWS_SERVER_2019_CONTAINER
      ${BUILD}
    `;
    const spec = parse(text);
    expect(spec.batch).toEqual({
      fastFail: true,
      kind: 'build-list',
      tasks: [
        {
          identifier: 'linux', buildspec: 'ci/linux.yml', ignoreFailure: true, debugSession: false, dependOn: [],
          env: { image: 'pipe/standard:1', type: 'LINUX_CONTAINER', computeType: 'BUILD_GENERAL1_LARGE', privilegedMode: true, variables: { TARGET: '3.10' } },
        },
        { identifier: 'windows', ignoreFailure: false, debugSession: true, dependOn: [], env: { type: 'WINDOWS_SERVER_2019_CONTAINER', variables: {} } },
      ],
    });
    expect(warnings(text)).toMatchInlineSnapshot(`
      [
        "11:23 unsupported-locally batch.build-list[0].env.compute-type: compute-type BUILD_GENERAL1_LARGE has no local meaning: the build gets this machine's CPU and memory",
        "12:26 unsupported-locally batch.build-list[0].env.privileged-mode: privileged-mode is not applied per task: every task gets a Docker engine when the action has privilegedMode: true (pipe build --privileged), none otherwise",
        "16:22 unsupported-locally batch.build-list[1].debug-session: debug-session has no local meaning (no Session Manager); use docker exec on the build container",
        "18:15 unsupported-locally batch.build-list[1].env.type: environment type WINDOWS_SERVER_2019_CONTAINER needs a Windows container; pipe runs Linux containers only",
      ]
    `);
  });

  it('warns that a batch task environment type other than LINUX_CONTAINER is not applied', () => {
    const text = yaml`
      version: 0.2
      batch:
        build-list:
          - identifier: arm
            env:
              type: ARM_CONTAINER
          - identifier: linux
            env:
              type: LINUX_CONTAINER
      ${BUILD}
    `;
    expect(warnings(text)).toEqual([
      "6:15 unsupported-locally batch.build-list[0].env.type: environment type ARM_CONTAINER is not applied locally: the build runs in a Linux container of this machine's architecture",
    ]);
  });

  it('expands a build-matrix into its cartesian product with generated identifiers', () => {
    const spec = parse(yaml`
      version: 0.2
      batch:
        build-matrix:
          static:
            ignore-failure: false
            env:
              type: LINUX_CONTAINER
          dynamic:
            buildspec:
              - a.yml
            env:
              image:
                - img:1
                - img:2
              variables:
                MY_VAR:
                  - x
                  - 0.10
                  - z
    `);
    const tasks = spec.batch?.tasks ?? [];
    expect(tasks).toHaveLength(6);
    expect(tasks.map((t) => `${t.identifier} ${t.buildspec} ${t.env.image} ${t.env.variables.MY_VAR} ${t.env.type}`)).toEqual([
      'build1 a.yml img:1 x LINUX_CONTAINER',
      'build2 a.yml img:1 0.10 LINUX_CONTAINER',
      'build3 a.yml img:1 z LINUX_CONTAINER',
      'build4 a.yml img:2 x LINUX_CONTAINER',
      'build5 a.yml img:2 0.10 LINUX_CONTAINER',
      'build6 a.yml img:2 z LINUX_CONTAINER',
    ]);
  });

  it('rejects unknown depend-on, cycles, duplicates and a missing identifier in a build-graph', () => {
    const text = yaml`
      version: 0.2
      batch:
        build-graph:
          - identifier: a
            depend-on: [c]
          - identifier: b
            depend-on: [a, ghost]
          - identifier: c
            depend-on: [b]
          - identifier: a
          - buildspec: x.yml
      ${BUILD}
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "5:18 batch.build-graph[0].depend-on: dependency cycle: a -> c -> b -> a",
        "7:18 batch.build-graph[1].depend-on: task 'b' depends on unknown task 'ghost'; known tasks: a, b, c",
        "10:19 batch.build-graph[3].identifier: duplicate task identifier 'a'",
        "11:7 batch.build-graph[4]: missing 'identifier': every batch task needs a unique identifier",
      ]
    `);
  });

  it('accepts a dependency graph without cycles', () => {
    const spec = parse('version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n    - identifier: b\n      depend-on:\n        - a\n');
    expect(spec.batch?.tasks.map((t) => [t.identifier, t.dependOn])).toEqual([['a', []], ['b', ['a']]]);
  });

  it('wants exactly one batch kind, and depend-on only in a graph', () => {
    expect(problems('version: 0.2\nbatch:\n  fast-fail: false\n')).toMatchInlineSnapshot(`
      [
        "2:1 batch: expected exactly one of build-list, build-matrix, build-graph; got none",
      ]
    `);
    const text = yaml`
      version: 0.2
      batch:
        build-list:
          - identifier: a
            depend-on: [b]
          - identifier: b
        build-graph:
          - identifier: c
        build-fanout:
          parallelism: 3
    `;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "5:18 batch.build-list[0].depend-on: depend-on belongs to build-graph tasks, not build-list",
        "7:3 batch.build-graph: expected exactly one of build-list, build-matrix, build-graph; got build-list and build-graph",
        "9:3 batch.build-fanout: build-fanout batches are not supported by pipe; use build-list or build-graph",
      ]
    `);
  });
});

describe('other top-level keys', () => {
  it('accepts proxy with a warning, warns on unknown keys with a suggestion', () => {
    const text = yaml`
      version: 0.2
      proxy:
        upload-artifacts: yes
        logs: no
      lambuild:
        x: 1
      artifact:
        files: [a]
      environment_variables:
        plaintext:
          A: b
      ${BUILD}
    `;
    const spec = parse(text);
    expect(spec.proxy).toEqual({ uploadArtifacts: true, logs: false });
    expect(spec.artifacts).toBeUndefined();
    expect(spec.env.variables).toEqual({});
    expect(warnings(text)).toMatchInlineSnapshot(`
      [
        "2:1 unsupported-locally proxy: proxy has no local meaning: pipe builds reach the network directly and upload nothing",
        "5:1 unknown-key lambuild: unknown top-level key 'lambuild' is ignored",
        "7:1 unknown-key artifact: unknown top-level key 'artifact' is ignored; did you mean 'artifacts'?",
        "9:1 tolerated environment_variables: environment_variables is the 0.1-era spelling and is ignored in 0.2; no variables are set from it (use env.variables)",
      ]
    `);
  });
});

describe('YAML features', () => {
  it('resolves anchors, aliases and merge keys before validation', () => {
    const spec = parse(yaml`
      version: 0.2
      x-common: &common
        REGION: eu-west-1
        STAGE: dev
      env:
        variables:
          <<: *common
          STAGE: prod
      phases:
        pre_build:
          commands: &steps
            - echo one
            - echo two
        build:
          commands: *steps
    `);
    expect(spec.env.variables).toEqual({ STAGE: 'prod', REGION: 'eu-west-1' });
    expect(spec.phases.build?.commands.map((c) => c.text)).toEqual(['echo one', 'echo two']);
    expect(spec.warnings.map((w) => w.path)).toEqual(['x-common']);
  });

  it('passes YAML errors through with their position, and accepts a BOM, CRLF and a leading ---', () => {
    expect(problems('version: 0.2\nversion: 0.2\n')).toEqual(["2:1 : duplicate key 'version' in one mapping"]);
    expect(problems('version: 0.2\n---\nversion: 0.2\n')[0]).toContain('one YAML document');
    const spec = parse('\uFEFF---\r\nversion: 0.2\r\nphases:\r\n  build:\r\n    commands:\r\n      - make\r\n');
    expect(spec.phases.build?.commands.map((c) => c.text)).toEqual(['make']);
  });
});

describe('a file with several problems', () => {
  it('reports all of them at once, in file order, with the line shown', () => {
    const text = yaml`
      version: 0.2
      env:
        variables:
          CODEBUILD_X: 1
        exported-variables: [AWS_SECRET]
      phases:
        buld:
          commands: [make]
        install:
          on-failure: NEVER
      artifacts:
        discard-paths: yes
    `;
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).format()).toMatchInlineSnapshot(`
      "buildspec.yml: 5 problems found
        buildspec.yml:4:5 env.variables.CODEBUILD_X: 'CODEBUILD_X' is reserved: names starting with CODEBUILD_ are set by the build, not the buildspec
          4 |     CODEBUILD_X: 1
            |     ^
        buildspec.yml:5:24 env.exported-variables[0]: 'AWS_SECRET' cannot be exported: names starting with AWS_ are reserved
          5 |   exported-variables: [AWS_SECRET]
            |                        ^
        buildspec.yml:7:3 phases.buld: unknown phase 'buld' (did you mean 'build'?); phases are install, pre_build, build, post_build
          7 |   buld:
            |   ^
        buildspec.yml:10:17 phases.install.on-failure: unknown on-failure 'NEVER'; expected ABORT, CONTINUE, RETRY, RETRY-<count>, RETRY-<regex> or RETRY-<count>-<regex>
          10 |     on-failure: NEVER
             |                 ^
        buildspec.yml:11:1 artifacts: missing 'files': list the globs of the files to collect ('**/*' for everything)
          11 | artifacts:
             | ^"
    `);
  });
});

describe('loadBuildspec', () => {
  it('names a missing file', () => {
    let error: unknown;
    try {
      loadBuildspec('/nonexistent/buildspec.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipeError);
    expect((error as PipeError).code).toBe('NOT_FOUND');
    expect((error as PipeError).message).toBe('buildspec /nonexistent/buildspec.yml not found');
  });
});

describe('describeBuildspec', () => {
  it('prints the plan in run order, with secret names but never values', () => {
    const spec = parse(yaml`
      version: 0.2
      run-as: builder
      env:
        shell: bash
        variables:
          STAGE: dev
        parameter-store:
          DB_PASS: /prod/db
        secrets-manager:
          TOKEN: gh:token
        exported-variables: [IMAGE_TAG]
      phases:
        build:
          on-failure: RETRY-2
          commands:
            - |
              make
              make test
          finally:
            - echo done
        install:
          commands: [npm ci]
      artifacts:
        files: [dist/**/*]
        discard-paths: yes
        secondary-artifacts:
          Layer:
            files: [layer.zip]
      cache:
        paths: [node_modules/**/*]
      reports:
        unit:
          files: [junit.xml]
      batch:
        build-graph:
          - identifier: a
          - identifier: b
            depend-on: [a]
    `);
    expect(describeBuildspec(spec)).toMatchInlineSnapshot(`
      "buildspec buildspec.yml (version 0.2)
      run-as: builder
      shell: bash
      variables:
        STAGE="dev"
        DB_PASS <- parameter-store /prod/db
        TOKEN <- secrets-manager gh (json-key "token")
      exported variables: IMAGE_TAG
      phases:
        install (run-as builder)
          1. npm ci
        build (run-as builder, on-failure RETRY up to 2 times)
          1. make
             make test
          finally:
            1. echo done
      artifacts:
        primary: dist/**/*; paths discarded
        secondary Layer: layer.zip
      cache:
        paths: node_modules/**/*
        action: restore and save
      reports:
        unit (JUNITXML): junit.xml
      batch: build-graph, 2 builds, fast-fail no
        a: this buildspec
        b: this buildspec; after a"
    `);
  });
});

describe('names that become paths', () => {
  /** The whole report of a buildspec that must be invalid, as `pipe build` prints it. */
  function report(text: string): string {
    try {
      parse(text);
    } catch (e) {
      if (e instanceof ValidationError) return e.format();
      throw e;
    }
    throw new Error('expected the buildspec to be rejected');
  }

  it('refuses secondary artifact identifiers, report groups and batch identifiers that are not plain names', () => {
    const text = yaml`
      version: 0.2
      ${BUILD}
      artifacts:
        files: ['**/*']
        secondary-artifacts:
          ../../x:
            files: [a]
          ..:
            files: [b]
          Docs_1-b:
            files: [c]
      reports:
        ../escape:
          files: [r.xml]
        arn:aws:codebuild:us-east-1:123456789012:report-group/../x:
          files: [r.xml]
      batch:
        build-list:
          - identifier: ../up
          - identifier: ...
    `;
    expect(report(text)).toMatchInlineSnapshot(`
      "buildspec.yml: 6 problems found
        buildspec.yml:9:5 artifacts.secondary-artifacts["../../x"]: expected a secondary artifact identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '../../x'
          9 |     ../../x:
            |     ^
        buildspec.yml:11:5 artifacts.secondary-artifacts[".."]: expected a secondary artifact identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '..'
          11 |     ..:
             |     ^
        buildspec.yml:16:3 reports["../escape"]: expected a report group name of 1-128 characters from A-Z a-z 0-9 _ - or a report group ARN, got '../escape'
          16 |   ../escape:
             |   ^
        buildspec.yml:18:3 reports["arn:aws:codebuild:us-east-1:123456789012:report-group/../x"]: expected a report group name of 1-128 characters from A-Z a-z 0-9 _ - or a report group ARN, got 'arn:aws:codebuild:us-east-1:123456789012:report-group/../x'
          18 |   arn:aws:codebuild:us-east-1:123456789012:report-group/../x:
             |   ^
        buildspec.yml:22:19 batch.build-list[0].identifier: expected a batch task identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '../up'
          22 |     - identifier: ../up
             |                   ^
        buildspec.yml:23:19 batch.build-list[1].identifier: expected a batch task identifier of 1-127 characters from A-Z a-z 0-9 _ -, got '...'
          23 |     - identifier: ...
             |                   ^"
    `);
  });

  it('accepts the identifiers and report groups real buildspecs use', () => {
    const spec = parse(yaml`
      version: 0.2
      ${BUILD}
      artifacts:
        files: ['**/*']
        secondary-artifacts:
          FunctionCode: { files: [a] }
          my-layer_2: { files: [b] }
      reports:
        r: { files: [r.xml] }
        unit-test: { files: [r.xml] }
        arn:aws:codebuild:us-east-1:123456789012:report-group/jest-tests: { files: [r.xml] }
      batch:
        build-list:
          - identifier: UnitOpenssl30_x86_64
    `);
    expect(Object.keys(spec.artifacts?.secondaryArtifacts ?? {})).toEqual(['FunctionCode', 'my-layer_2']);
    expect(Object.keys(spec.reports)).toHaveLength(3);
    expect(spec.batch?.tasks.map((t) => t.identifier)).toEqual(['UnitOpenssl30_x86_64']);
  });
});
