// Stands in, in the bundled CLI, for packages pipe never uses on its paths (ssh2 for ssh:// Docker hosts,
// gRPC and protobuf for BuildKit sessions) so the CLI does not load them at start. Using one fails saying so.
'use strict';

function unavailable(name) {
  return function () {
    throw new Error(`${name} is not available in the bundled pipe CLI (ssh:// Docker hosts and BuildKit sessions are not supported)`);
  };
}

module.exports = new Proxy({}, { get: (_target, key) => (key === '__esModule' ? false : unavailable(String(key))) });
