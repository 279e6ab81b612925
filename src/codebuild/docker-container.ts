// The build's container on a real Docker engine: one long-lived container per build, removed when it ends.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { makeOwnedTempDir } from '../artifacts/index.js';
import { LABELS } from '../core/index.js';
import { DockerEngine, startDockerProxy } from '../infra/index.js';
import type { ContainerHandle, DockerProxy } from '../infra/index.js';
import type { BuildContainer, BuildExecOptions, BuildExecStream } from './container-port.js';
import type { AgentProcess } from './shell-agent.js';

export interface BuildContainerRequest {
  image: string;
  labels: Record<string, string>;
  /**
   * The container's main process: this command, fed through its standard input (the shell agent), attached before
   * it starts. Without it the container idles and every command is an exec.
   */
  agent?: AgentProcess;
  /** privilegedMode: the build gets a Docker engine at /var/run/docker.sock (the host's, through a labelling proxy). */
  docker?: boolean;
}

export interface BuildContainerFactory {
  /** Makes sure the image exists (or fails naming it), returns its own environment. */
  prepareImage(image: string): Promise<Record<string, string>>;
  create(request: BuildContainerRequest): Promise<BuildContainer>;
  /** The image's labels, for its runtime catalog; a factory without it offers no runtime selection. */
  imageLabels?(image: string): Promise<Record<string, string>>;
}

class DockerBuildContainer implements BuildContainer {
  agent?: BuildExecStream;

  constructor(
    private readonly handle: ContainerHandle,
    private readonly afterRemove: () => Promise<void> = async () => undefined,
  ) {}

  get id(): string {
    return this.handle.id;
  }

  async putFiles(dir: string, tar: Buffer | Promise<Buffer> | Readable): Promise<void> {
    await this.handle.putArchive(tar instanceof Promise ? await tar : tar, dir);
  }

  exec(options: BuildExecOptions): Promise<{ exitCode: number }> {
    return this.handle.exec({
      cmd: options.cmd,
      ...(options.user ? { user: options.user } : {}),
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
  }

  getArchive(path: string): Promise<Readable> {
    return this.handle.getArchive(path);
  }

  async remove(): Promise<void> {
    try {
      await this.handle.remove();
    } finally {
      await this.afterRemove();
    }
  }
}

export function createDockerBuildContainers(engine: DockerEngine = new DockerEngine()): BuildContainerFactory {
  return {
    async prepareImage(image) {
      // One inspect when the image is there (the usual case); otherwise pull or fail naming it.
      const present = await engine.imageEnv(image);
      if (present) return present;
      await engine.ensureImage(image);
      return (await engine.imageEnv(image)) ?? {};
    },
    async imageLabels(image) {
      return (await engine.imageLabels(image)) ?? {};
    },
    async create({ image, labels, docker, agent }) {
      const engineOfBuild = docker ? await startBuildDocker(engine) : undefined;
      let handle: ContainerHandle;
      try {
        handle = await engine.createContainer({
          image,
          labels,
          // The container hosts the build's commands: its main process is the agent that runs them (the other
          // commands are execs), or it idles until removed.
          entrypoint: agent ? agent.cmd : ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
          cmd: [],
          workingDir: '/',
          ...(agent ? { openStdin: true } : {}),
          ...(engineOfBuild ? { binds: [`${engineOfBuild.proxy.socketPath}:/var/run/docker.sock`] } : {}),
        });
      } catch (e) {
        await engineOfBuild?.close();
        throw e;
      }
      const container = new DockerBuildContainer(handle, async () => engineOfBuild?.close());
      try {
        if (agent) container.agent = await handle.attach({ onStdout: agent.onStdout, onStderr: agent.onStderr });
        await handle.start();
      } catch (e) {
        await container.remove();
        throw e;
      }
      return container;
    },
  };
}

/** A privileged build's Docker engine; closing it removes what the build created, except the images it tagged. */
async function startBuildDocker(engine: DockerEngine): Promise<{ proxy: DockerProxy; close(): Promise<void> }> {
  // Named with this process's pid, so the next pipe command removes it when a SIGKILL left it behind.
  const dir = await makeOwnedTempDir('docker');
  const labels = { [LABELS.managed]: 'true', [LABELS.ownerPid]: String(process.pid), [LABELS.buildDocker]: randomUUID() };
  const proxy = await startDockerProxy(join(dir, 'docker.sock'), labels);
  return {
    proxy,
    async close() {
      await proxy.close();
      await engine.removeLabelled({ [LABELS.buildDocker]: labels[LABELS.buildDocker] });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
