// After the last test file: the containers of test homes that are gone. Every test home is made under the
// temporary folder and removed when its test is done, so a container still labelled with one is a leftover of a
// test that failed partway (its function or build containers). Homes that exist are not touched: another run's,
// or a user's anywhere.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sep } from 'node:path';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/docker.js';

/** Removes those of homes under `under` and answers how many there were; 0 when no Docker engine answers. */
export async function removeContainersOfGoneHomes(under = tmpdir(), engine = new DockerEngine()): Promise<number> {
  const tmp = under.endsWith(sep) ? under : under + sep;
  let containers: Array<Record<string, string>>;
  try {
    containers = await engine.listContainerLabels({ [LABELS.home]: undefined });
  } catch {
    return 0; // no engine: nothing can be left on it
  }
  const gone = containers.filter((c) => {
    const home = c[LABELS.home] ?? '';
    return home.startsWith(tmp) && !existsSync(home);
  });
  await Promise.allSettled(gone.map((c) => engine.removeContainer(c['id'] ?? '')));
  return gone.length;
}
