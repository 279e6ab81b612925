// Two pipe processes on one state.db (a run and a server, a deploy and the registry it talks to): a transaction
// that reads and then writes takes the write lock before its first read (IMMEDIATE). A deferred one that read,
// then wrote after the other process's commit, failed at once with "database is locked": SQLite cannot move its
// snapshot forward, so no busy wait applies. A deploy's CreateFunction failed so under load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/infra/sqlite.js';
import type { Db } from '../../src/infra/sqlite.js';
import { FunctionStore } from '../../src/registry/store/function-store.js';
import { LayerStore } from '../../src/registry/store/layer-store.js';
import { REGISTRY_MIGRATIONS } from '../../src/registry/store/schema.js';

describe('transactions that read, then write, beside another process', () => {
  let dir: string;
  let ours: Db;
  let theirs: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipe-write-tx-'));
    ours = openDatabase(join(dir, 'state.db'));
    migrate(ours, 'registry', REGISTRY_MIGRATIONS);
    theirs = openDatabase(join(dir, 'state.db'));
    theirs.pragma('busy_timeout = 0'); // the other process's write is refused at once instead of after 5 s
  });
  afterEach(() => {
    ours.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const layerRows = () => ours.prepare('SELECT name FROM registry_layers ORDER BY name').all().map((r) => (r as { name: string }).name);
  const theirWrite = () => theirs.prepare("INSERT INTO registry_layers (region, name, last_version) VALUES ('us-east-1', 'theirs', 1)").run();

  it('a deferred one fails with "database is locked" when the other commits between its read and its write', () => {
    const deferred = ours.transaction(() => {
      ours.prepare('SELECT COUNT(*) FROM registry_layers').get();
      theirWrite();
      ours.prepare("INSERT INTO registry_layers (region, name, last_version) VALUES ('us-east-1', 'ours', 1)").run();
    });
    expect(() => deferred()).toThrow(/database is locked/);
  });

  it("the layer store's holds the lock from its first read: the other waits, and the operation commits", () => {
    const version = new LayerStore(ours).transaction(() => {
      expect(new LayerStore(ours).listLayerNames('us-east-1')).toEqual([]);
      expect(theirWrite).toThrow(/database is locked/);
      return new LayerStore(ours).takeVersionNumber('us-east-1', 'ours');
    });
    expect(version).toBe(1);
    theirWrite(); // once it has committed, the other's write goes through
    expect(layerRows()).toEqual(['ours', 'theirs']);
  });

  it("the function store's holds the lock from its first read: the other waits, and the operation commits", () => {
    const functions = new FunctionStore(ours);
    functions.transaction(() => {
      expect(functions.countFunctions('us-east-1')).toBe(0);
      expect(theirWrite).toThrow(/database is locked/);
      functions.deleteFunction('us-east-1', 'gone');
      ours.prepare("INSERT INTO registry_layers (region, name, last_version) VALUES ('us-east-1', 'ours', 1)").run();
    });
    theirWrite();
    expect(layerRows()).toEqual(['ours', 'theirs']);
  });
});
