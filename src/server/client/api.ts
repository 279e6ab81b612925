// The dashboard's calls to its JSON API (the cookie carries the token); errors shown as one line at the top.
import { h } from './dom.js';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly hint?: string) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (parsed ?? {}) as { message?: string; hint?: string };
    throw new ApiError(res.status, e.message ?? `${res.status} ${res.statusText}`, e.hint);
  }
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
export const put = <T>(path: string, body: unknown = {}) => call<T>('PUT', path, body);

/** Sent on the window after an action succeeded. */
export const CHANGED_EVENT = 'pipe:changed';

/** Runs a button's action; a refusal (CodePipeline's reason) is shown, not thrown. */
export async function act(what: () => Promise<unknown>): Promise<boolean> {
  try {
    await what();
    notify('', false);
    // Some changes leave no event in the log (a transition disabled): the page shown reads itself again.
    window.dispatchEvent(new Event(CHANGED_EVENT));
    return true;
  } catch (e) {
    const err = e as ApiError;
    notify(`${err.message}${err.hint ? ` (${err.hint})` : ''}`, true);
    return false;
  }
}

export function notify(message: string, isError: boolean): void {
  let bar = document.getElementById('notice');
  if (!bar) {
    bar = h('div', { id: 'notice', role: 'alert' });
    document.body.prepend(bar);
  }
  bar.textContent = message;
  bar.className = message ? (isError ? 'notice error' : 'notice') : 'notice hidden';
}
