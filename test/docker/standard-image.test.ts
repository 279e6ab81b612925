// Real builds in pipe/standard:7.0, the local stand-in for aws/codebuild/standard:7.0: CodeBuild's tools on PATH,
// runtime-versions switching Node.js for real, CodeBuild's image names resolving to it with a parity line, and the
// registry's nodejs20.x / nodejs22.x running their own Node.js there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { phaseStatuses, runBuildspec } from '../support/build-harness.js';
import { describeStandardImage, STANDARD_TEST_IMAGE } from '../support/docker.js';
import { containersOf, json, makeTarget, makeZip, removeWorkDir, request } from '../registry-invoke/support.js';

describeStandardImage('pipe/standard:7.0', () => {
  it('runs a buildspec using jq, aws, npm, pip, make, go, java and mvn', async () => {
    const { result, output } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:
      - echo '{"a":{"b":42}}' | jq -r .a.b
      - aws --version | cut -d' ' -f1
      - npm --version && npx --version && yarn --version && pnpm --version
      - pip --version | cut -d' ' -f1 && python --version
      - printf 'all:\\n\\t@echo made-$$((6*7))\\n' > Makefile && make
      - go version | cut -d' ' -f3
      - java -version 2>&1 | head -n 1 | cut -d'"' -f2 | cut -d. -f1
      - mvn -B -v 2>&1 | grep -o 'Apache Maven [0-9][.0-9]*'
      - docker --version | cut -d, -f1
`,
      { image: STANDARD_TEST_IMAGE },
    );
    expect(phaseStatuses(result)).toContain('BUILD SUCCEEDED');
    expect(output).toEqual(['42', 'aws-cli/2.9.19', '10.9.9', '10.9.9', '1.22.22', '10.34.8', 'pip', 'Python 3.11.2', 'made-42', 'go1.19.8', '17', 'Apache Maven 3.8.7', 'Docker version 20.10.24+dfsg1']);
  });

  it('switches Node.js with runtime-versions: nodejs 22 gives v22, an unavailable 16 runs on 18 and says so', async () => {
    const spec = (version: string) => `version: 0.2
phases:
  install:
    runtime-versions:
      nodejs: ${version}
  build:
    commands:
      - node --version | cut -d. -f1
      - npm --version
`;
    const v22 = await runBuildspec(spec('22'), { image: STANDARD_TEST_IMAGE });
    expect(v22.result.status).toBe('SUCCEEDED');
    expect(v22.lines.some((l) => l.startsWith('[Container] ') && l.endsWith(' Running command n 22.23.5'))).toBe(true);
    expect(v22.output.filter((l) => /^v\d+$|^\d+\.\d+\.\d+$/.test(l))).toEqual(['v22', '10.9.9']);
    const v16 = await runBuildspec(spec('16'), { image: STANDARD_TEST_IMAGE });
    expect(v16.result.status).toBe('SUCCEEDED');
    const parity = ' Warning: runtime-versions: nodejs 16 is not in pipe/standard:7.0 (it has 18, 20, 22); the build runs on nodejs 18 (18.20.8), the nearest';
    expect(v16.lines.filter((l) => l.endsWith(parity))).toHaveLength(1);
    expect(v16.output).toContain('v18');
    // Without runtime-versions: the image's default, Node 20.
    const plain = await runBuildspec('version: 0.2\nphases:\n  build:\n    commands:\n      - node --version | cut -d. -f1\n', { image: STANDARD_TEST_IMAGE });
    expect(plain.output).toEqual(['v20']);
  });

  it('runs aws/codebuild/standard:7.0 and amazonlinux2 names in it, with a parity line; CODEBUILD_BUILD_IMAGE keeps the name', async () => {
    for (const name of ['aws/codebuild/standard:7.0', 'aws/codebuild/amazonlinux2-x86_64-standard:5.0']) {
      const { result, lines, output } = await runBuildspec('version: 0.2\nphases:\n  build:\n    commands:\n      - echo "$CODEBUILD_BUILD_IMAGE" && jq --version\n', { image: name });
      expect(result.status).toBe('SUCCEEDED');
      expect(lines.find((l) => l.includes(`image ${name} runs locally as pipe/standard:7.0: `))).toBeDefined();
      expect(output).toEqual([name, 'jq-1.6']);
    }
  });
});

describeStandardImage('the registry on pipe/standard:7.0', () => {
  let invoker: DockerInvoker;
  beforeAll(async () => {
    invoker = await createDockerInvoker({ defaultImage: STANDARD_TEST_IMAGE });
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    removeWorkDir();
  });

  it.each([
    ['nodejs18.x', 'v18.'],
    ['nodejs20.x', 'v20.'],
    ['nodejs22.x', 'v22.'],
  ])('%s runs Node.js %s', async (runtime, prefix) => {
    const zip = makeZip({ 'index.js': 'exports.handler = async () => process.version;' });
    const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip, runtime })));
    expect(result.functionError).toBeUndefined();
    expect(String(json(result.payload))).toMatch(new RegExp(`^${prefix.replace('.', '\\.')}\\d+\\.\\d+$`));
  });
});

describeStandardImage('the registry\'s default images', () => {
  it('nodejs22.x runs its own Node.js in pipe/standard:7.0 without a setting', async () => {
    const invoker = await createDockerInvoker({});
    try {
      expect(invoker.runtimeSupport?.('nodejs22.x')).toEqual({ supported: true });
      expect(invoker.runtimeSupport?.('nodejs18.x')).toEqual({ supported: true });
      const zip = makeZip({ 'index.js': 'exports.handler = async () => process.version;' });
      const result = await invoker.invoke(request(makeTarget({ codeZipPath: zip, runtime: 'nodejs22.x' })));
      expect(String(json(result.payload))).toMatch(/^v22\.\d+\.\d+$/);
    } finally {
      await invoker.close();
    }
    expect(await containersOf(invoker.invokerId)).toEqual([]);
  });
});
