// Preloaded (node -r) by bench/startup.mjs into `pipe run`: writes to stderr, as the process exits, when its first
// Docker API request left (ms since the process started) and when its last response ended (ms since the epoch).
const http = require('node:http');
const { writeSync } = require('node:fs');

let first;
let last;
const request = http.request;
http.request = function (options, ...rest) {
  const req = request.call(this, options, ...rest);
  if (options && typeof options === 'object' && options.socketPath) {
    first ??= performance.now();
    req.on('response', (res) => res.on('end', () => (last = performance.now())));
  }
  return req;
};
process.on('exit', () => writeSync(2, `\npipe-bench-docker ${first} ${performance.timeOrigin + last}\n`));
