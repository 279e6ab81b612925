// node:crypto in the dashboard's bundle: core's id makers are not used by the client; this keeps them working if one is.
export function randomUUID() {
  return globalThis.crypto.randomUUID();
}
