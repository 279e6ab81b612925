// How a failed test case's text becomes a short message and shortened details, whatever the format.

const MAX_MESSAGE = 1000;
const MAX_MESSAGE_LINES = 10;
const MAX_DETAILS = 4000;

/** A stack frame line: Java/JS `at x`, Python's `File "x", line n`, .NET ` at X in file:line`. */
const STACK_FRAME = /^\s+(at |File ")|^\s*at \S+\s*\(/;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The message a person wants first: the element's `message` when it has one, else the text before the first
 * stack frame (jest-junit writes "Error: expect(received)...\n\nExpected: 3\nReceived: 4\n    at ...").
 */
export function failureMessage(messageAttr: string | undefined, text: string | undefined): string {
  const given = messageAttr?.trim();
  if (given) return shorten(given, MAX_MESSAGE);
  const lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const head: string[] = [];
  for (const line of lines) {
    if (STACK_FRAME.test(line) && head.some((l) => l.trim() !== '')) break;
    head.push(line.trimEnd());
  }
  const message = head.join('\n').trim().split('\n').slice(0, MAX_MESSAGE_LINES).join('\n');
  return shorten(message, MAX_MESSAGE);
}

/** The full text (stack trace, captured output), trimmed and shortened; undefined when empty. */
export function failureDetails(text: string | undefined): string | undefined {
  const trimmed = (text ?? '').replace(/\r\n?/g, '\n').trim();
  return trimmed === '' ? undefined : shorten(trimmed, MAX_DETAILS);
}

/** Seconds (a decimal string in most formats) to whole-ish milliseconds. */
export function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000 * 1000) / 1000;
}
