// CodeBuild's phase rules in a real container: which phases run after a failure, finally, on-failure.
import { expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { phaseStatuses, runBuildspec } from '../support/build-harness.js';

const ALL = (failIn: string, extra = '') => `version: 0.2
phases:
  install:
    ${failIn === 'install' ? extra : ''}
    commands:
      - touch out.txt
      - echo install${failIn === 'install' ? '; exit 1' : ''}
  pre_build:
    ${failIn === 'pre_build' ? extra : ''}
    commands:
      - echo pre_build${failIn === 'pre_build' ? '; exit 1' : ''}
  build:
    ${failIn === 'build' ? extra : ''}
    commands:
      - echo build${failIn === 'build' ? '; exit 1' : ''}
  post_build:
    commands:
      - echo "post_build succeeding=$CODEBUILD_BUILD_SUCCEEDING"
artifacts:
  files: ['**/*']
`;

describeDocker('build phase rules', () => {
  it('install failure skips the remaining phases and the artifact upload', async () => {
    const { result, output } = await runBuildspec(ALL('install'), { outputs: ['Out'] });
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['install']);
    expect(phaseStatuses(result)).toEqual([
      'PROVISIONING SUCCEEDED', 'DOWNLOAD_SOURCE SUCCEEDED', 'INSTALL FAILED', 'FINALIZING SUCCEEDED',
    ]);
    expect(result.artifacts).toEqual([]);
  });

  it('pre_build failure skips build, post_build and artifacts', async () => {
    const { result, output } = await runBuildspec(ALL('pre_build'), { outputs: ['Out'] });
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['install', 'pre_build']);
    expect(result.artifacts).toEqual([]);
  });

  it('build failure still runs post_build (succeeding=0) and still uploads artifacts', async () => {
    const { result, output } = await runBuildspec(ALL('build'), { outputs: ['Out'] });
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['install', 'pre_build', 'build', 'post_build succeeding=0']);
    expect(phaseStatuses(result)).toEqual([
      'PROVISIONING SUCCEEDED', 'DOWNLOAD_SOURCE SUCCEEDED', 'INSTALL SUCCEEDED', 'PRE_BUILD SUCCEEDED',
      'BUILD FAILED', 'POST_BUILD SUCCEEDED', 'UPLOAD_ARTIFACTS SUCCEEDED', 'FINALIZING SUCCEEDED',
    ]);
    expect(result.artifacts.map((a) => a.name)).toEqual(['Out']);
    expect(result.message).toBe('Error while executing command: echo build; exit 1. Reason: exit status 1');
  });

  it('on-failure ABORT on build skips post_build and artifacts', async () => {
    const { result, output } = await runBuildspec(ALL('build', 'on-failure: ABORT'), { outputs: ['Out'] });
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['install', 'pre_build', 'build']);
    expect(result.artifacts).toEqual([]);
  });

  it('on-failure CONTINUE on install runs the next phases but the build still fails', async () => {
    const { result, output } = await runBuildspec(ALL('install', 'on-failure: CONTINUE'));
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['install', 'pre_build', 'build', 'post_build succeeding=0']);
  });

  it('finally runs after a failing command, sees succeeding=0, and the phase still fails', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - echo one
      - exit 4
      - echo skipped
    finally:
      - echo "finally succeeding=$CODEBUILD_BUILD_SUCCEEDING"
      - echo "finally two"
`);
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['one', 'finally succeeding=0', 'finally two']);
    expect(result.phases.find((p) => p.phase === 'BUILD')?.context).toEqual({
      statusCode: 'COMMAND_EXECUTION_ERROR',
      message: 'Error while executing command: exit 4. Reason: exit status 4',
    });
  });

  it('a failing finally fails a phase whose commands succeeded, and stops the rest of finally', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  pre_build:
    commands:
      - echo ok
    finally:
      - exit 2
      - echo not-reached
  build:
    commands:
      - echo build-not-reached
`);
    expect(result.status).toBe('FAILED');
    expect(output).toEqual(['ok']);
  });

  it('RETRY re-runs a failing phase up to its count', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  build:
    on-failure: RETRY-2
    commands:
      - N=$(cat /tmp/n 2>/dev/null || echo 0); N=$((N+1)); echo $N > /tmp/n; echo "attempt $N"; [ $N -ge 3 ]
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
  });
});
