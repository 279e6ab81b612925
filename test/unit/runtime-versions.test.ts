// runtime-versions resolved as CodeBuild resolves them, against pipe/standard:7.0's catalog (the JSON its build
// puts in the image's label): latest, major-only and .x forms, variables, and the nearest version with a parity line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planRuntimeVersions, readRuntimeCatalog, resolveBuildImage, RUNTIMES_LABEL, STANDARD_IMAGE } from '../../src/codebuild/index.js';

const label = readFileSync(new URL('../../scripts/images/standard-7.0-runtimes.json', import.meta.url)).toString('base64');
const catalog = readRuntimeCatalog(STANDARD_IMAGE, { [RUNTIMES_LABEL]: label });
const plan = (requested: Record<string, string>, env: Record<string, string> = {}) => planRuntimeVersions(requested, env, catalog, STANDARD_IMAGE);

describe('runtime-versions on pipe/standard:7.0', () => {
  it.each([
    ['20', '20'],
    ['20.x', '20'],
    ['latest', '22'],
    ['18', '18'],
    ['22.23.5', '22'],
  ])('nodejs %s selects %s without a parity line', (requested, key) => {
    const p = plan({ nodejs: requested });
    expect(p.selected).toEqual({ nodejs: key });
    expect(p.notes).toEqual([]);
  });

  it('switches Node.js with n, and Python 3.x, 3 and latest all mean 3.11', () => {
    expect(plan({ nodejs: '22' }).commands).toEqual(['n 22.23.5']);
    for (const v of ['3.x', '3', 'latest', '3.11']) expect(plan({ python: v }).selected).toEqual({ python: '3.11' });
    expect(plan({ java: 'corretto17', golang: 'latest', ruby: '3.x', php: '8.2' }).notes).toEqual([]);
  });

  it('runs a version the image lacks on the nearest one, saying so', () => {
    expect(plan({ nodejs: '16', python: '3.12', java: 'corretto21', golang: '1.21', nodejs20: '20' }).notes).toEqual([
      'runtime-versions: nodejs 16 is not in pipe/standard:7.0 (it has 18, 20, 22); the build runs on nodejs 18 (18.20.8), the nearest',
      'runtime-versions: python 3.12 is not in pipe/standard:7.0 (it has 3.11); the build runs on python 3.11 (3.11.2), the nearest',
      'runtime-versions: java corretto21 is not in pipe/standard:7.0 (it has corretto17); the build runs on java corretto17 (OpenJDK 17 (Debian, not Corretto)), the nearest',
      'runtime-versions: golang 1.21 is not in pipe/standard:7.0 (it has 1.19); the build runs on golang 1.19 (1.19.8), the nearest',
      'runtime-versions: nodejs20 20 is not in pipe/standard:7.0 (it has golang, java, nodejs, php, python, ruby); the build runs without it',
    ]);
    expect(plan({ nodejs: '24' }).selected).toEqual({ nodejs: '22' });
    // Equally far from 18 and 20: the newer one.
    expect(plan({ nodejs: '19' }).selected).toEqual({ nodejs: '20' });
    expect(plan({ nodejs: '20.11' }).notes).toEqual([
      'runtime-versions: nodejs 20.11 is not in pipe/standard:7.0 (it has 18, 20, 22); the build runs on nodejs 20 (20.20.2), the nearest',
    ]);
  });

  it('expands variables first, and says when a value names no version', () => {
    expect(plan({ nodejs: '$NODE', python: '${PY}' }, { NODE: '22', PY: '3.x' }).selected).toEqual({ nodejs: '22', python: '3.11' });
    expect(plan({ nodejs: '$NODE' }, { NODE: '16' }).notes).toEqual([
      'runtime-versions: nodejs $NODE (= 16) is not in pipe/standard:7.0 (it has 18, 20, 22); the build runs on nodejs 18 (18.20.8), the nearest',
    ]);
    expect(plan({ nodejs: '$UNSET' }).notes).toEqual([
      "runtime-versions: nodejs $UNSET (= nothing) names no version; the build runs on the image's default nodejs 20 (20.20.2)",
    ]);
  });
});

describe('runtime-versions on other images', () => {
  it('pipe/standard:1 has fixed runtimes: no commands, the nearest with a parity line', () => {
    const minimal = readRuntimeCatalog('pipe/standard:1', {});
    const p = planRuntimeVersions({ nodejs: '20', python: '3.x', java: 'corretto17' }, {}, minimal, 'pipe/standard:1');
    expect(p.commands).toEqual([]);
    expect(p.notes).toEqual([
      'runtime-versions: nodejs 20 is not in pipe/standard:1 (it has 18); the build runs on nodejs 18 (18.20.4), the nearest',
      'runtime-versions: java corretto17 is not in pipe/standard:1 (it has nodejs, python); the build runs without it',
    ]);
  });

  it('an image without a catalog applies none, as CodeBuild on a custom image', () => {
    expect(readRuntimeCatalog('my/image:1', {})).toBeUndefined();
    expect(planRuntimeVersions({ nodejs: '20' }, {}, undefined, 'my/image:1').notes).toEqual([
      'runtime-versions: my/image:1 has no runtime catalog (runtime version selection is not supported by this build image); nodejs 20 is not applied',
    ]);
  });

  it('rejects a malformed catalog label naming the image', () => {
    expect(() => readRuntimeCatalog('my/image:1', { [RUNTIMES_LABEL]: Buffer.from('{"nodejs": {"default": "20", "versions": {}}}').toString('base64') })).toThrow(
      'image my/image:1: label pipe.image.runtimes: nodejs: default 20 is not among its versions',
    );
  });
});

describe('CodeBuild image names', () => {
  it.each([
    'aws/codebuild/standard:7.0',
    'aws/codebuild/standard:6.0',
    'aws/codebuild/standard:5.0',
    'aws/codebuild/standard:7.0-24.10.29',
    'aws/codebuild/amazonlinux2-x86_64-standard:5.0',
    'aws/codebuild/amazonlinux2-x86_64-standard:4.0',
    'aws/codebuild/amazonlinux-x86_64-standard:5.0',
  ])('%s runs as pipe/standard:7.0, with a parity line', (name) => {
    const local = resolveBuildImage(name);
    expect(local.image).toBe('pipe/standard:7.0');
    expect(local.parity).toMatch(new RegExp(`^image ${name.replace(/[.]/g, '\\.')} runs locally as pipe/standard:7\\.0: `));
  });

  it('says what differs', () => {
    expect(resolveBuildImage('aws/codebuild/standard:7.0').parity).toBe(
      'image aws/codebuild/standard:7.0 runs locally as pipe/standard:7.0: Debian 12 instead of Ubuntu 22.04; Node.js 18, 20, 22; Python 3.11 only; ' +
        'OpenJDK 17 instead of Corretto 8/11/17/21; Go 1.19; Gradle 4.4.1; Ruby 3.1; PHP 8.2; no .NET, PowerShell, browsers, SAM CLI, kubectl or eksctl',
    );
    expect(resolveBuildImage('aws/codebuild/amazonlinux2-x86_64-standard:5.0').parity).toContain('Debian instead of Amazon Linux: no yum, dnf or rpm packages, and /bin/sh is dash, not bash');
  });

  it('uses other names as they are', () => {
    for (const name of ['pipe/standard:1', 'pipe/standard:7.0', 'node:20', 'aws/codebuild/windows-base:2019-3.0']) expect(resolveBuildImage(name)).toEqual({ image: name });
  });
});
