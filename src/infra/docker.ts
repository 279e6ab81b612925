// The Docker Engine, through dockerode: the whole container surface pipe uses, with errors mapped once.
import Docker from 'dockerode';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { LABELS, PipeError } from '../core/index.js';
import { pipeHome } from './sqlite.js';

export const SETUP_COMMAND = 'bash scripts/setup.sh';

/** How long a present image's inspect answer is reused (one build's preflight, environment and labels). */
const IMAGE_INSPECT_KEEP_MS = 10_000;

export interface ContainerSpec {
  image: string;
  labels: Record<string, string>;
  env?: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  /** Memory limit in bytes. */
  memoryBytes?: number;
  /** Cap on the container's json-file log (long-lived containers that print a lot, e.g. Lambda environments). */
  logMaxBytes?: number;
  name?: string;
  /** Host paths mounted into the container, `host:container`. */
  binds?: string[];
  /** Keep the main process's standard input open, for `attach`. */
  openStdin?: boolean;
}

export interface ExecOptions {
  cmd: string[];
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Feed to the process's standard input, then close it. */
  stdin?: Buffer | string;
}

export interface ExecResult {
  exitCode: number;
}

/** A running process whose standard input stays open: write to it, end it, and wait for it. */
export interface AttachedStream {
  write(data: string | Buffer): void;
  /** Closes the process's standard input. */
  end(): void;
  /** Resolves when the process's output has ended (it exited, or its container was removed). */
  readonly ended: Promise<void>;
  /** Asks Docker how the process ended (one request; call it after `ended`). */
  exitCode(): Promise<ExecResult>;
}

/** Maps a dockerode failure to a PipeError that says what to do. */
export function mapDockerError(e: unknown, what: string): PipeError {
  if (e instanceof PipeError) return e;
  const err = e as { statusCode?: number; code?: string; message?: string; json?: { message?: string } };
  const detail = err.json?.message ?? err.message ?? String(e);
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'EACCES') {
    return new PipeError('DOCKER_UNAVAILABLE', `no Docker engine answers (${err.code} ${dockerHostLabel()})`, {
      hint: `start one, or run '${SETUP_COMMAND}' which installs and starts it`,
      cause: e,
    });
  }
  switch (err.statusCode) {
    case 404:
      return new PipeError('DOCKER_ERROR', `${what}: not found (${detail})`, { cause: e });
    case 409:
      return new PipeError('DOCKER_ERROR', `${what}: conflict (${detail})`, { cause: e });
    default:
      return new PipeError('DOCKER_ERROR', `${what}: ${detail}`, { cause: e });
  }
}

function dockerHostLabel(): string {
  return process.env['DOCKER_HOST'] ?? 'at /var/run/docker.sock';
}

export interface DockerEngineOptions {
  /** The PIPE_HOME every container this engine creates is labelled with (default: PIPE_HOME, resolved). */
  home?: string;
}

export class DockerEngine {
  readonly api: Docker;
  /** The PIPE_HOME this engine's containers belong to (LABELS.home). */
  readonly home: string;
  private readonly images = new Map<string, { at: number; info: Promise<Docker.ImageInspectInfo | undefined> }>();

  constructor(api: Docker = new Docker(), options: DockerEngineOptions = {}) {
    this.api = api;
    this.home = resolve(options.home ?? pipeHome());
  }

  async ping(): Promise<void> {
    try {
      await this.api.ping();
    } catch (e) {
      throw mapDockerError(e, 'ping the Docker engine');
    }
  }

  /**
   * The image's inspect answer, undefined when it is not there. A present image's answer is kept for a few
   * seconds, so the preflight, the image's environment and its labels cost one round trip per build; an absent
   * one is asked again every time (it may be pulled or built meanwhile).
   */
  private inspectImage(image: string): Promise<Docker.ImageInspectInfo | undefined> {
    const now = Date.now();
    const kept = this.images.get(image);
    if (kept && now - kept.at < IMAGE_INSPECT_KEEP_MS) return kept.info;
    const info = this.api.getImage(image).inspect().then(
      (i) => i,
      (e: unknown) => {
        this.images.delete(image);
        if ((e as { statusCode?: number }).statusCode === 404) return undefined;
        throw mapDockerError(e, `inspect image ${image}`);
      },
    );
    this.images.set(image, { at: now, info });
    return info;
  }

  /** Forgets what was learnt about an image (it was pulled, built or found missing). */
  private forgetImage(image: string): void {
    this.images.delete(image);
  }

  async hasImage(image: string): Promise<boolean> {
    return (await this.inspectImage(image)) !== undefined;
  }

  /** The image's own environment (its ENV lines), as a map; undefined when the image is not there. */
  async imageEnv(image: string): Promise<Record<string, string> | undefined> {
    const info = await this.inspectImage(image);
    if (!info) return undefined;
    const env: Record<string, string> = {};
    for (const pair of info.Config?.Env ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env;
  }

  /** The image's labels (pipe's own images carry their definition's digest and runtime catalog); undefined when absent. */
  async imageLabels(image: string): Promise<Record<string, string> | undefined> {
    const info = await this.inspectImage(image);
    return info ? { ...(info.Config?.Labels ?? {}) } : undefined;
  }

  /** Makes sure the image is there: present locally, or pulled. Fails naming the image and the setup command. */
  async ensureImage(image: string): Promise<void> {
    if (await this.hasImage(image)) return;
    // pipe/* images are built locally by the setup script; there is no registry to pull them from.
    if (!image.startsWith('pipe/')) try {
      const stream = await this.api.pull(image);
      await new Promise<void>((resolve, reject) => {
        this.api.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
      });
      this.forgetImage(image);
      if (await this.hasImage(image)) return;
    } catch {
      // fall through: the pull failed (no registry reachable, or no such image)
    }
    const local = image.startsWith('pipe/');
    throw new PipeError('IMAGE_NOT_FOUND', `image ${image} not found locally${local ? '' : ' and could not be pulled'}`, {
      hint: local
        ? `build it with '${SETUP_COMMAND}'`
        : `pull or build it (docker pull ${image}), or use the local image pipe/standard:1 ('${SETUP_COMMAND}' builds it)`,
    });
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const labels = { [LABELS.managed]: 'true', [LABELS.ownerPid]: String(process.pid), [LABELS.home]: this.home, ...spec.labels };
    try {
      const c = await this.api.createContainer({
        Image: spec.image,
        ...(spec.name ? { name: spec.name } : {}),
        Labels: labels,
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        ...(spec.openStdin ? { OpenStdin: true, AttachStdin: true, StdinOnce: false } : {}),
        HostConfig: {
          NetworkMode: 'host',
          ...(spec.binds ? { Binds: spec.binds } : {}),
          ...(spec.memoryBytes ? { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes } : {}),
          ...(spec.logMaxBytes ? { LogConfig: { Type: 'json-file', Config: { 'max-size': String(spec.logMaxBytes), 'max-file': '2' } } } : {}),
        },
      });
      return new ContainerHandle(this, c);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        this.forgetImage(spec.image);
        throw new PipeError('IMAGE_NOT_FOUND', `image ${spec.image} not found locally`, {
          hint: `build it with '${SETUP_COMMAND}'`,
          cause: e,
        });
      }
      throw mapDockerError(e, `create a container of ${spec.image}`);
    }
  }

  /** Ids of the containers carrying every given label (value `undefined` matches any value). */
  async listContainers(labels: Record<string, string | undefined>): Promise<string[]> {
    const filters = { label: Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`)) };
    try {
      const list = await this.api.listContainers({ all: true, filters });
      return list.map((c) => c.Id);
    } catch (e) {
      throw mapDockerError(e, 'list containers');
    }
  }

  async listContainerLabels(labels: Record<string, string | undefined>): Promise<Array<Record<string, string>>> {
    const filters = { label: Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`)) };
    try {
      const list = await this.api.listContainers({ all: true, filters });
      return list.map((c) => ({ id: c.Id, ...c.Labels }));
    } catch (e) {
      throw mapDockerError(e, 'list containers');
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.api.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code === 404) return; // already gone
      if (code === 409) return this.waitUntilGone(id); // another removal is under way: wait for it
      throw mapDockerError(e, `remove container ${id.slice(0, 12)}`);
    }
  }

  private async waitUntilGone(id: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.api.getContainer(id).inspect();
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return;
        throw mapDockerError(e, `inspect container ${id.slice(0, 12)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new PipeError('DOCKER_ERROR', `container ${id.slice(0, 12)} was still being removed after ${timeoutMs / 1000}s`);
  }

  /** Removes every container carrying the labels; returns how many. */
  async removeContainers(labels: Record<string, string | undefined>): Promise<number> {
    const ids = await this.listContainers(labels);
    await Promise.all(ids.map((id) => this.removeContainer(id)));
    return ids.length;
  }

  /**
   * Removes what a build made through its Docker engine (all carrying `labels`): containers, untagged images,
   * networks and volumes. Images the build tagged stay, for later use. Returns what was removed, by kind.
   */
  async removeLabelled(labels: Record<string, string>): Promise<{ containers: number; images: number; networks: number; volumes: number }> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const containers = await this.removeContainers(labels);
    let images = 0;
    let networks = 0;
    let volumes = 0;
    try {
      for (const image of await this.api.listImages({ all: true, filters: { label } })) {
        const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
        if (tags.length > 0) continue;
        // A parent of a tagged image cannot go (409): it stays with its child.
        if (await this.api.getImage(image.Id).remove({ noprune: false }).then(() => true, () => false)) images++;
        this.images.clear(); // kept inspect answers are by name; an image removed by id may be one of them
      }
      for (const n of await this.api.listNetworks({ filters: { label } })) {
        if (await this.api.getNetwork(n.Id).remove().then(() => true, () => false)) networks++;
      }
      const listed = (await this.api.listVolumes({ filters: { label } })) as { Volumes?: Array<{ Name: string }> | null };
      for (const v of listed.Volumes ?? []) {
        if (await this.api.getVolume(v.Name).remove().then(() => true, () => false)) volumes++;
      }
    } catch (e) {
      throw mapDockerError(e, 'remove what the build created');
    }
    return { containers, images, networks, volumes };
  }
}

export class ContainerHandle {
  constructor(
    private readonly engine: DockerEngine,
    private readonly container: Docker.Container,
  ) {}

  get id(): string {
    return this.container.id;
  }

  async start(): Promise<void> {
    try {
      await this.container.start();
    } catch (e) {
      throw mapDockerError(e, `start container ${this.id.slice(0, 12)}`);
    }
  }

  /** Extracts a tar archive (buffer or stream) into a directory of the container. */
  async putArchive(tar: Buffer | Readable, path: string): Promise<void> {
    try {
      await this.container.putArchive(tar, { path });
    } catch (e) {
      throw mapDockerError(e, `copy files into ${path}`);
    }
  }

  /** A tar stream of a path inside the container. */
  async getArchive(path: string): Promise<Readable> {
    try {
      return (await this.container.getArchive({ path })) as unknown as Readable;
    } catch (e) {
      throw mapDockerError(e, `copy ${path} out of the container`);
    }
  }

  async exec(options: ExecOptions): Promise<ExecResult> {
    try {
      const exec = await this.container.exec({
        Cmd: options.cmd,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: options.stdin !== undefined,
        ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
        ...(options.user ? { User: options.user } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      });
      const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined });
      const out = new PassThrough();
      const err = new PassThrough();
      out.on('data', (c: Buffer) => options.onStdout?.(c));
      err.on('data', (c: Buffer) => options.onStderr?.(c));
      this.engine.api.modem.demuxStream(stream, out, err);
      if (options.stdin !== undefined) stream.end(options.stdin);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const info = await exec.inspect();
      return { exitCode: info.ExitCode ?? -1 };
    } catch (e) {
      throw mapDockerError(e, `run a command in container ${this.id.slice(0, 12)}`);
    }
  }

  /**
   * Attaches to the main process of a container made with `openStdin` (before `start`, so no output is missed):
   * its standard input stays open for writing, its output comes demultiplexed. A container already removed counts
   * as killed (137), as a forced removal kills its process.
   */
  async attach(options: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void }): Promise<AttachedStream> {
    let stream: NodeJS.ReadWriteStream;
    try {
      stream = (await this.container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream;
    } catch (e) {
      throw mapDockerError(e, `attach to container ${this.id.slice(0, 12)}`);
    }
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (c: Buffer) => options.onStdout?.(c));
    err.on('data', (c: Buffer) => options.onStderr?.(c));
    this.engine.api.modem.demuxStream(stream, out, err);
    let open = true;
    const ended = new Promise<void>((resolve) => {
      const end = () => {
        open = false;
        resolve();
      };
      stream.on('end', end);
      stream.on('close', end);
      // A broken connection (the container went away) ends the process as far as we can tell; inspect says how.
      stream.on('error', end);
    });
    return {
      write(data) {
        if (open) stream.write(data);
      },
      end() {
        if (open) stream.end();
        open = false;
      },
      ended,
      exitCode: async () => {
        try {
          const info = await this.container.inspect();
          return { exitCode: info.State.Running ? -1 : info.State.ExitCode };
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode === 404) return { exitCode: 137 };
          throw mapDockerError(e, `inspect container ${this.id.slice(0, 12)}`);
        }
      },
    };
  }

  async wait(): Promise<number> {
    try {
      const r = (await this.container.wait()) as { StatusCode: number };
      return r.StatusCode;
    } catch (e) {
      throw mapDockerError(e, `wait for container ${this.id.slice(0, 12)}`);
    }
  }

  async logs(onChunk: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): Promise<void> {
    const stream = (await this.container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (c: Buffer) => onChunk('stdout', c));
    err.on('data', (c: Buffer) => onChunk('stderr', c));
    this.engine.api.modem.demuxStream(stream, out, err);
  }

  async remove(): Promise<void> {
    await this.engine.removeContainer(this.id);
  }
}
