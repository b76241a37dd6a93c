// A local OTLP/HTTP receiver that reads every request and discards it, for the variants with logs and
// spans on. It runs as a process of its own (started by signals.mjs), so its CPU is not in the
// measured process's figures: the variant pays for building, batching, serialising and sending its
// records, as an app exporting to a collector on the same host would, and not for a backend.
// Prints its port on stdout and runs until the parent's end of its stdin closes.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    // An empty body is a valid Export*ServiceResponse in protobuf (no partial success).
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
// The parent owns this process's life: when it exits, however it exits, its end of stdin closes.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
