// pipe's temporary folders in the system's temp directory (a tar's blobs, zips being combined) carry the pid of the
// process that made them, so that the folders of a process killed before it could remove them (SIGKILL) are found
// and removed by the next pipe command on this machine.
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `pipe-<kind>-<pid>-<6 random characters>`, as mkdtemp names them. */
const OWNED_TEMP_DIR = /^pipe-[a-z]+(?:-[a-z]+)*-(\d+)-[A-Za-z0-9]{6}$/;

/** A new temporary folder of this process, named `pipe-<kind>-<pid>-XXXXXX`. */
export function makeOwnedTempDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pipe-${kind}-${process.pid}-`));
}

/** makeOwnedTempDir, for a constructor that cannot wait. */
export function makeOwnedTempDirSync(kind: string): string {
  return mkdtempSync(join(tmpdir(), `pipe-${kind}-${process.pid}-`));
}

/** Removes the temporary folders of processes that have ended; returns their names. */
export async function removeDeadOwnersTempDirs(isAlive: (pid: number) => boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(tmpdir());
  } catch {
    return [];
  }
  const dead = names.filter((n) => {
    const pid = Number(OWNED_TEMP_DIR.exec(n)?.[1] ?? process.pid);
    return pid !== process.pid && !isAlive(pid);
  });
  // Another user's folder cannot be removed, and need not be: it is theirs to sweep.
  await Promise.all(dead.map((n) => rm(join(tmpdir(), n), { recursive: true, force: true }).catch(() => undefined)));
  return dead;
}
