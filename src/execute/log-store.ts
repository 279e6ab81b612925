// Keeps the whole log of every action in a file of its own: <home>/logs/<execution-id>/<Stage>.<Action>.log, readable
// by its owner only (0600, in 0700 directories), cut at MAX_STORED_LOG_BYTES with the cut shown.
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_STORED_LOG_BYTES, StoredLogLimit } from '../core/index.js';
import type { RunEvent } from '../core/index.js';
import { asSegment, resolveInside } from '../artifacts/index.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../infra/index.js';

export function actionLogPath(home: string, executionId: string, stage: string, action: string): string {
  return resolveInside(home, 'logs', asSegment('execution id', executionId), asSegment('action log name', `${stage}.${action}.log`));
}

export class LogStore {
  private readonly open = new Map<string, { fd: number; limit: StoredLogLimit }>();

  constructor(
    private readonly home: string,
    /** Told the path of an action's log when it is first written. */
    private readonly onNewLog: (executionId: string, stage: string, action: string, path: string) => void = () => undefined,
    /** How much of each action's log is stored; past it, one line says where the log was cut. */
    private readonly maxBytes = MAX_STORED_LOG_BYTES,
    /** Where an action's log goes (a build `pipe build` ran keeps its log under its build id). */
    private readonly pathOf: (executionId: string, stage: string, action: string) => string = (id, stage, action) => actionLogPath(home, id, stage, action),
  ) {}

  record(e: RunEvent): void {
    if (e.type === 'log') this.write(e.executionId, e.stage, e.action, e.line);
    else if (e.type === 'warning' && e.stage && e.action) this.write(e.executionId, e.stage, e.action, `Warning: ${e.message}`);
    else if (e.type === 'action' && e.status !== 'InProgress') this.close(e.executionId, e.stage, e.action);
  }

  private write(executionId: string, stage: string, action: string, line: string): void {
    const key = `${executionId}/${stage}/${action}`;
    let log = this.open.get(key);
    if (log === undefined) {
      const path = this.pathOf(executionId, stage, action);
      makePrivateDir(dirname(path));
      log = { fd: openSync(path, 'a', PRIVATE_FILE_MODE), limit: new StoredLogLimit(this.maxBytes) };
      this.open.set(key, log);
      this.onNewLog(executionId, stage, action, path);
    }
    for (const l of log.limit.admit(line)) writeSync(log.fd, `${l}\n`);
  }

  private close(executionId: string, stage: string, action: string): void {
    const key = `${executionId}/${stage}/${action}`;
    const log = this.open.get(key);
    if (log !== undefined) closeSync(log.fd);
    this.open.delete(key);
  }

  closeAll(): void {
    for (const { fd } of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}
