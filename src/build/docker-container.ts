// The build's container on a real Docker engine: one long-lived container per build, removed when it ends.
import type { Readable } from 'node:stream';
import { DockerEngine } from '../infra/docker.js';
import type { ContainerHandle } from '../infra/docker.js';
import type { BuildContainer, BuildExecOptions } from './container-port.js';

export interface BuildContainerRequest {
  image: string;
  labels: Record<string, string>;
}

export interface BuildContainerFactory {
  /** Makes sure the image exists (or fails naming it), returns its own environment. */
  prepareImage(image: string): Promise<Record<string, string>>;
  create(request: BuildContainerRequest): Promise<BuildContainer>;
  /** The image's labels, for its runtime catalog; a factory without it offers no runtime selection. */
  imageLabels?(image: string): Promise<Record<string, string>>;
}

class DockerBuildContainer implements BuildContainer {
  constructor(private readonly handle: ContainerHandle) {}

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

  remove(): Promise<void> {
    return this.handle.remove();
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
    async create({ image, labels }) {
      const handle = await engine.createContainer({
        image,
        labels,
        // The container only hosts the build's commands, each run through exec; it idles until removed.
        entrypoint: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
        cmd: [],
        workingDir: '/',
      });
      try {
        await handle.start();
      } catch (e) {
        await handle.remove();
        throw e;
      }
      return new DockerBuildContainer(handle);
    },
  };
}
