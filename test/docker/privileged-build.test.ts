// privilegedMode in real builds of pipe/standard:7.0: docker run, docker build and docker-compose work against the build's Docker
// engine; what the build created is removed with it, except the images it tagged; without privilegedMode docker
// fails as on CodeBuild, with CodeBuild's hint.
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { NO_DOCKER_HINT } from '../../src/codebuild/phase-runner.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { runBuildspec } from '../support/build-harness.js';
import { describeStandardImage, STANDARD_TEST_IMAGE, TEST_IMAGE } from '../support/docker.js';

const engine = new DockerEngine();
const suffix = randomUUID().slice(0, 8);
const kept = `pipe-test/kept-${suffix}:1`;

describeStandardImage('privilegedMode', () => {
  afterAll(async () => {
    await engine.api.getImage(kept).remove().catch(() => undefined);
  });

  it('gives the build a Docker engine; removes its containers and untagged images after it, keeps what it tagged', async () => {
    const { result, output } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:
      - docker run --rm ${TEST_IMAGE} echo inner-hello
      - docker run -d --name left-${suffix} ${TEST_IMAGE} sleep 300 > /dev/null
      - printf 'FROM ${TEST_IMAGE}\\nRUN echo built-${suffix} > /built.txt\\nCMD cat /built.txt\\n' > Dockerfile
      - docker build -q -t ${kept} . > /dev/null
      - docker run --rm ${kept}
      - printf 'FROM ${TEST_IMAGE}\\nRUN echo ${suffix} > /x\\n' > Untagged && echo "untagged=$(docker build -q -f Untagged .)"
      - |
        cat > docker-compose.yml <<EOF
        services:
          hello:
            image: ${TEST_IMAGE}
            command: echo compose-${suffix}
        EOF
        docker-compose -p c${suffix} up --no-color --abort-on-container-exit 2>&1 | grep -o "compose-${suffix}$" | head -n 1
`,
      { image: STANDARD_TEST_IMAGE, privileged: true },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(output.slice(0, 2)).toEqual(['inner-hello', `built-${suffix}`]);
    const untagged = output.find((l) => l.startsWith('untagged='))?.slice('untagged='.length) ?? '';
    expect(untagged).toMatch(/^sha256:[0-9a-f]{64}$/);
    const left = await engine.api.listContainers({ all: true, filters: { name: [`left-${suffix}`] } });
    expect(left).toEqual([]);
    expect(await engine.hasImage(untagged)).toBe(false);
    // docker compose worked, and the network it left is gone with the build.
    expect(output).toContain(`compose-${suffix}`);
    expect(await engine.api.listNetworks({ filters: { name: [`c${suffix}_default`] } })).toEqual([]);
    expect(await engine.api.listContainers({ all: true, filters: { label: [`com.docker.compose.project=c${suffix}`] } })).toEqual([]);
    expect(await engine.hasImage(kept)).toBe(true);
  });

  it('without it, docker fails as on CodeBuild, with the hint to turn privileged mode on', async () => {
    const { result, lines } = await runBuildspec('version: 0.2\nphases:\n  build:\n    commands:\n      - docker ps\n', { image: STANDARD_TEST_IMAGE });
    expect(result.status).toBe('FAILED');
    expect(lines.some((l) => l.includes('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'))).toBe(true);
    expect(lines.filter((l) => l.endsWith(` ${NO_DOCKER_HINT}`))).toHaveLength(1);
  });
});
