// The dashboard's page reader (server/client/reader.ts): reads that come back out of order never put an older answer
// over a newer one (the execution page once stayed on Stopping after the execution had Stopped, the read started
// before the Stopped event answering last), and a read that fails is tried again.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { pageReader } from '../../src/server/client/reader.js';

interface Deferred { resolve(v: string): void; reject(e: Error): void }

function scriptedReads(): { read: () => Promise<string>; pending: Deferred[] } {
  const pending: Deferred[] = [];
  return {
    pending,
    read: () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

it('draws the newest answer and drops an older one that comes back after it', async () => {
  const { read, pending } = scriptedReads();
  const drawn: string[] = [];
  const reader = pageReader(read, (v) => drawn.push(v));
  reader.now(); // read 1: before the execution stopped
  reader.soon();
  await vi.advanceTimersByTimeAsync(150); // read 2: after the Stopped event
  expect(pending).toHaveLength(2);
  pending[1]?.resolve('Stopped');
  await vi.advanceTimersByTimeAsync(0);
  pending[0]?.resolve('Stopping');
  await vi.advanceTimersByTimeAsync(0);
  expect(drawn).toEqual(['Stopped']);
  reader.dispose();
});

it('draws answers that come back in order, each one', async () => {
  const { read, pending } = scriptedReads();
  const drawn: string[] = [];
  const reader = pageReader(read, (v) => drawn.push(v));
  reader.now();
  reader.now();
  pending[0]?.resolve('InProgress');
  await vi.advanceTimersByTimeAsync(0);
  pending[1]?.resolve('Stopped');
  await vi.advanceTimersByTimeAsync(0);
  expect(drawn).toEqual(['InProgress', 'Stopped']);
  reader.dispose();
});

it('tries a failed read again, unless a newer one was asked for; a burst of events makes one read', async () => {
  const { read, pending } = scriptedReads();
  const drawn: string[] = [];
  const reader = pageReader(read, (v) => drawn.push(v));
  reader.soon();
  reader.soon();
  reader.soon();
  await vi.advanceTimersByTimeAsync(150);
  expect(pending).toHaveLength(1);
  pending[0]?.reject(new Error('Failed to fetch'));
  await vi.advanceTimersByTimeAsync(500);
  expect(pending).toHaveLength(2);
  pending[1]?.resolve('Stopped');
  await vi.advanceTimersByTimeAsync(0);
  expect(drawn).toEqual(['Stopped']);
  // A failure of a read that a newer one overtook is not retried: the newer one answers.
  reader.now();
  reader.now();
  pending[2]?.reject(new Error('Failed to fetch'));
  await vi.advanceTimersByTimeAsync(1000);
  expect(pending).toHaveLength(4);
  reader.dispose();
});

it('reads during a long burst of events, once each 150 ms, rather than only when it ends', async () => {
  const { read, pending } = scriptedReads();
  const reader = pageReader(read, () => undefined);
  // An event each 50 ms for a second (a build's phases): a read that each event put off would never start.
  for (let t = 0; t < 1000; t += 50) {
    reader.soon();
    await vi.advanceTimersByTimeAsync(50);
  }
  expect(pending.length).toBeGreaterThanOrEqual(6);
  reader.dispose();
});
