// ANSI SGR colours (the 8/16 colours, bold, reset) in a log line, drawn as spans; other escape sequences dropped.
import { h } from './dom.js';

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

export function ansiLine(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let fg: string | undefined;
  let bold = false;
  const re = /\u001b\[([\d;]*)([A-Za-z])/g;
  let last = 0;
  const push = (s: string) => {
    if (!s) return;
    if (!fg && !bold) out.append(s);
    else out.append(h('span', { class: `${fg ? `ansi-${fg}` : ''}${bold ? ' ansi-bold' : ''}`.trim() }, s));
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] !== 'm') continue;
    for (const code of (m[1] || '0').split(';').map(Number)) {
      if (code === 0) (fg = undefined), (bold = false);
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = undefined;
      else if (code >= 30 && code <= 37) fg = COLOURS[code - 30];
      else if (code >= 90 && code <= 97) fg = `bright-${COLOURS[code - 90] ?? ''}`;
    }
  }
  push(text.slice(last).replace(/\u001b\][^\u0007]*\u0007|\u001b./g, ''));
  return out;
}
