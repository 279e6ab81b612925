// Reading a page's data again after live events: the newest read wins. Reads overlap when the server or the
// browser is slow (one started after an event can come back before one started earlier), and drawing the older
// answer last would leave the page showing a state it has left, with no event to come that fixes it. A read that
// fails (a connection dropped under load) is tried again, so the page does not stay on what it drew before.
export interface PageReader {
  /**
   * Reads again within `delayMs`: events in a burst make one read, and a long burst (a build's phases) one read each
   * `delayMs`, never none until it ends.
   */
  soon(): void;
  /** Reads now. */
  now(): void;
  dispose(): void;
}

const RETRY_MS = 500;

export function pageReader<T>(read: () => Promise<T>, draw: (value: T) => void, delayMs = 150): PageReader {
  let asked = 0;
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const now = () => {
    clearTimeout(timer);
    timer = undefined;
    const mine = ++asked;
    read().then(
      (value) => {
        // An answer older than the one drawn is not drawn: it would put the page back on a state it has left.
        if (disposed || mine <= drawn) return;
        drawn = mine;
        draw(value);
      },
      (e: unknown) => {
        if (disposed || mine !== asked) return; // a newer read is on its way
        console.error(e);
        timer = setTimeout(now, RETRY_MS);
      },
    );
  };
  return {
    soon() {
      if (timer !== undefined) return; // a read is already asked for within delayMs
      timer = setTimeout(now, delayMs);
    },
    now,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
