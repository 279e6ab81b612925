// Secrets masked in every dashboard response: the engine's events and logs are masked where they are emitted, and
// this is the second net for what the dashboard shows besides them (configurations, variables, a function's
// environment): every string of a response passes the same masker, loaded with the local stores' current values.
import type { PipeContext } from '../app/index.js';
import { SecretMasker, openLocalSecrets } from '../secrets/index.js';

export class ResponseMasker {
  private masker = new SecretMasker();
  /** What the stores held when the masker was loaded (names, versions, change times): values are read again when it changes. */
  private loadedFrom = '';

  constructor(private readonly ctx: PipeContext) {}

  private current(): SecretMasker {
    const { parameters, secrets } = openLocalSecrets(this.ctx.db, this.ctx.cipher);
    const listed = { parameters: parameters.listParameters(), secrets: secrets.listSecrets() };
    const signature = JSON.stringify([listed.parameters.map((p) => [p.name, p.version]), listed.secrets.map((x) => [x.name, x.lastChangedDate, x.versions[0]?.versionId])]);
    if (signature === this.loadedFrom) return this.masker;
    const values: string[] = [];
    for (const p of listed.parameters) {
      const v = parameters.getParameter(p.name)?.value;
      if (v) values.push(v);
    }
    for (const s of listed.secrets) {
      const v = secrets.getSecretValue(s.name)?.secretString;
      if (!v) continue;
      values.push(v);
      // A JSON secret's fields are referenced one by one (`secret-id:key`): each value is a secret too.
      try {
        const parsed = JSON.parse(v) as unknown;
        if (parsed && typeof parsed === 'object') for (const f of Object.values(parsed)) if (typeof f === 'string' && f.length >= 4) values.push(f);
      } catch {
        // not JSON
      }
    }
    const next = new SecretMasker();
    next.add(values);
    this.masker = next;
    this.loadedFrom = signature;
    return next;
  }

  text(s: string): string {
    return this.current().mask(s);
  }

  /** A copy of a JSON value with every string (keys too) masked. */
  json<T>(value: T): T {
    const m = this.current();
    if (m.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return m.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [m.mask(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}
