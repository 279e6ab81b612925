// What the tests need beyond Node, probed once per run (in vitest's global setup): a Docker engine with the local
// image, the AWS CLI v2 at /usr/bin/aws, and boto3 for the machine's python3 (Debian's python3-boto3). Each probe
// answers undefined when the thing is there, or a sentence saying what is missing and how to get it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DockerEngine } from '../../src/infra/docker.js';

const run = promisify(execFile);

export type Requirement = 'docker' | 'aws' | 'boto3' | 'chromium';
export type Probes = Partial<Record<Requirement, string>>;

export const TEST_IMAGE = process.env['PIPE_TEST_IMAGE'] ?? 'pipe/standard:1';
/** The AWS CLI the registry tests drive: Debian's awscli package (v2). */
export const AWS_CLI = '/usr/bin/aws';
/** The python3 that runs the boto3 scripts: the system's, where `setup.sh --test` installs python3-boto3. */
export const PYTHON = process.env['PIPE_TEST_PYTHON'] ?? '/usr/bin/python3';
/** The browser the dashboard's tests drive through playwright-core: Debian's chromium package. */
export const CHROMIUM = process.env['PIPE_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
/** Set by the global setup for the workers, so each probe runs once per test run. */
export const PROBES_ENV = 'PIPE_TEST_PROBES';

const SETUP = "run 'bash scripts/setup.sh --test'";

export const REQUIREMENT_NAMES: Record<Requirement, string> = {
  docker: `a Docker engine and the image ${TEST_IMAGE}`,
  aws: `the AWS CLI v2 at ${AWS_CLI}`,
  boto3: `boto3 for ${PYTHON}`,
  chromium: `Chromium at ${CHROMIUM}`,
};

async function probeDocker(): Promise<string | undefined> {
  const engine = new DockerEngine();
  try {
    await engine.ping();
  } catch (e) {
    return (e as Error).message;
  }
  if (!(await engine.hasImage(TEST_IMAGE))) return `image ${TEST_IMAGE} missing (bash scripts/setup.sh builds it)`;
  return undefined;
}

async function probeAwsCli(): Promise<string | undefined> {
  let version: string;
  try {
    version = (await run(AWS_CLI, ['--version'], { timeout: 30_000 })).stdout.trim();
  } catch (e) {
    return `${AWS_CLI} does not run (${(e as Error).message.split('\n')[0]}); ${SETUP}, which installs Debian's awscli`;
  }
  // "aws-cli/2.9.19 Python/3.11.2 Linux/..."
  const major = /^aws-cli\/(\d+)\./.exec(version)?.[1];
  if (major !== '2') return `${AWS_CLI} is '${version.split(' ')[0] ?? version}', the tests need the AWS CLI v2; ${SETUP}`;
  return undefined;
}

async function probeBoto3(): Promise<string | undefined> {
  try {
    await run(PYTHON, ['-c', 'import boto3, botocore'], { timeout: 30_000 });
    return undefined;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') return `${PYTHON} not found; install python3 (${SETUP})`;
    const last = String(err.stderr ?? err.message).trim().split('\n').pop();
    return `${PYTHON} cannot import boto3 (${last}); ${SETUP}, which installs Debian's python3-boto3`;
  }
}

async function probeChromium(): Promise<string | undefined> {
  try {
    const version = (await run(CHROMIUM, ['--version'], { timeout: 30_000 })).stdout.trim();
    return /Chromium \d+/.test(version) ? undefined : `${CHROMIUM} says '${version}', not a Chromium version; ${SETUP}, which installs Debian's chromium`;
  } catch (e) {
    return `${CHROMIUM} does not run (${(e as Error).message.split('\n')[0]}); ${SETUP}, which installs Debian's chromium`;
  }
}

export async function probeAll(): Promise<Probes> {
  const [docker, aws, boto3, chromium] = await Promise.all([probeDocker(), probeAwsCli(), probeBoto3(), probeChromium()]);
  const probes: Probes = {};
  if (docker) probes.docker = docker;
  if (aws) probes.aws = aws;
  if (boto3) probes.boto3 = boto3;
  if (chromium) probes.chromium = chromium;
  return probes;
}

/** The probes the global setup made, or made now when there was none (a file run without the project's config). */
export async function readProbes(): Promise<Probes> {
  const stored = process.env[PROBES_ENV];
  return stored === undefined ? probeAll() : (JSON.parse(stored) as Probes);
}

/** Whether missing requirements skip their tests (PIPE_SKIP_MISSING=1) instead of failing them (the default). */
export function isSkipAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['PIPE_SKIP_MISSING'] === '1' && env['PIPE_REQUIRE_DOCKER'] !== '1';
}
