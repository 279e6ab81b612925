// A Windows buildspec (env.shell powershell.exe / cmd.exe) parses with a warning, and a build of it is refused before
// any container starts, instead of its commands failing in a Linux shell. No Docker: a port that records creates.
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { runBuild } from '../../src/codebuild/index.js';
import type { BuildContainerFactory } from '../../src/codebuild/index.js';
import { parseBuildspec } from '../../src/parse/index.js';

it.each(['powershell.exe', 'cmd.exe'])('refuses a build whose env.shell is %s before any container starts', async (shell) => {
  let created = 0;
  const containers: BuildContainerFactory = {
    prepareImage: async () => ({}),
    async create() {
      created++;
      return { id: 'fake', putFiles: async () => undefined, getArchive: async () => Readable.from([]), exec: async () => ({ exitCode: 0 }), remove: async () => undefined };
    },
  };
  const spec = parseBuildspec(`version: 0.2\nenv:\n  shell: ${shell}\nphases:\n  build:\n    commands:\n      - Write-Host hi\n`, 'buildspec.yml');
  const result = await runBuild(
    {
      identity: {
        projectName: 'p', buildId: 'p:1', buildNumber: 1, image: 'img', initiator: 't', region: 'us-east-1',
        account: '000000000000', startTimeMs: 0, secondarySourceNames: [],
      },
      spec,
      secondarySources: [],
      environment: {},
      outputs: [],
      labels: {},
      line: () => undefined,
    },
    { containers, artifacts: { unzipToTar: async () => Buffer.alloc(0), packageFromTar: async () => ({ sha256: '', size: 0, files: [] }) } },
  );
  expect(result.status).toBe('FAILED');
  expect(result.message).toBe(`YAML_FILE_ERROR: env.shell ${shell} needs a Windows container; pipe runs Linux containers only`);
  expect(created).toBe(0);
});
