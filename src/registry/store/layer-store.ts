// Layers and their numbered versions in SQLite; a layer's counter survives the deletion of all its versions.
import type { Db } from '../../infra/index.js';
import type { LayerVersionRecord } from '../model.js';

export class LayerStore {
  constructor(private readonly db: Db) {}

  /** Runs `fn` in one IMMEDIATE transaction, as FunctionStore's: its reads and writes see one state, and wait their turn behind another writer. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Takes the next version number of a layer, creating the layer on first use. */
  takeVersionNumber(region: string, name: string): number {
    this.db
      .prepare(
        `INSERT INTO registry_layers (region, name, last_version) VALUES (?, ?, 1)
         ON CONFLICT (region, name) DO UPDATE SET last_version = last_version + 1`,
      )
      .run(region, name);
    const row = this.db.prepare('SELECT last_version FROM registry_layers WHERE region = ? AND name = ?').get(region, name) as {
      last_version: number;
    };
    return row.last_version;
  }

  putVersion(record: LayerVersionRecord): void {
    this.db
      .prepare('INSERT INTO registry_layer_versions (region, layer_name, version, record) VALUES (?, ?, ?, ?)')
      .run(record.region, record.layerName, record.version, JSON.stringify(record));
  }

  getVersion(region: string, name: string, version: number): LayerVersionRecord | undefined {
    const row = this.db
      .prepare('SELECT record FROM registry_layer_versions WHERE region = ? AND layer_name = ? AND version = ?')
      .get(region, name, version) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as LayerVersionRecord);
  }

  /** Newest first. */
  listVersions(region: string, name: string): LayerVersionRecord[] {
    return (
      this.db
        .prepare('SELECT record FROM registry_layer_versions WHERE region = ? AND layer_name = ? ORDER BY version DESC')
        .all(region, name) as { record: string }[]
    ).map((r) => JSON.parse(r.record) as LayerVersionRecord);
  }

  /** Names of layers that have at least one version, sorted. */
  listLayerNames(region: string): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT layer_name FROM registry_layer_versions WHERE region = ? ORDER BY layer_name')
        .all(region) as { layer_name: string }[]
    ).map((r) => r.layer_name);
  }

  deleteVersion(region: string, name: string, version: number): void {
    this.db.prepare('DELETE FROM registry_layer_versions WHERE region = ? AND layer_name = ? AND version = ?').run(region, name, version);
  }

  /** Whether any layer version, in any region, has this content. */
  refersToBlob(codeSha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM registry_layer_versions WHERE instr(record, ?) > 0 LIMIT 1').get(`"${codeSha256}"`) !== undefined;
  }

  totalCodeSize(region: string): number {
    const rows = this.db.prepare('SELECT record FROM registry_layer_versions WHERE region = ?').all(region) as { record: string }[];
    return rows.reduce((n, r) => n + (JSON.parse(r.record) as LayerVersionRecord).codeSize, 0);
  }
}
