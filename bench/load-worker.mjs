// Runs in a worker thread (plain JavaScript, so it needs no TypeScript loader): fires the prepared
// requests at the desk with a fixed concurrency over keep-alive connections, and reports latencies.
// With several instances (job.urls), requests go to them in turn, as a round-robin load balancer would.
//
// HTTP/1.1 by hand over net sockets, as autocannon and wrk do: each lane keeps one connection per
// desk, writes a request built once per body, and reads the status line, the headers it needs and the
// body. A full client (undici) cost ~0.5 ms of CPU per request on this 2-core machine, a third of what
// PostgreSQL spends on the request: CPU the desk and the database then did not have, measured against
// pgbench, whose client is a few lines of C.
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const urls = (job.urls ?? [job.url]).map((u) => new URL(u));
const latencies = [];
const statuses = {};
let next = 0;

function requestBytes(url, body) {
  const payload = Buffer.from(body);
  const head =
    `POST /v1/refund-requests HTTP/1.1\r\nHost: ${url.host}\r\ncontent-type: application/json\r\n` +
    `authorization: Bearer ${job.apiKey}\r\ncontent-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), payload]);
}

/** One keep-alive connection: send(bytes) resolves with the status once the whole response is read. */
function connection(url) {
  const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  let buffer = Buffer.alloc(0);
  let waiting = null;
  const ready = new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', (error) => waiting?.reject(error));
  socket.on('close', () => waiting?.reject(new Error('the desk closed the connection')));
  socket.on('data', (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const response = parse(buffer);
    if (!response || !waiting) return;
    buffer = buffer.subarray(response.length);
    const w = waiting;
    waiting = null;
    w.resolve(response.status);
  });
  return {
    async send(bytes) {
      await ready;
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(bytes);
      });
    },
    close: () => socket.end(),
  };
}

/** A complete response at the start of `data`: its status and length in bytes; null until all of it is here. */
function parse(data) {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return data.length >= total ? { status, length: total } : null;
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    // Chunks until the zero-length one (the desk sends none with trailers).
    let at = end + 4;
    for (;;) {
      const line = data.indexOf('\r\n', at);
      if (line < 0) return null;
      const size = Number.parseInt(data.subarray(at, line).toString('latin1'), 16);
      at = line + 2 + size + 2;
      if (data.length < at) return null;
      if (size === 0) return { status, length: at };
    }
  }
  return { status, length: end + 4 };
}

// Built before the clock starts, as wrk does.
const requests = job.bodies.map((body, index) => requestBytes(urls[index % urls.length], body));

async function lane() {
  const connections = urls.map(connection);
  while (next < requests.length) {
    const index = next++;
    const target = index % urls.length;
    const started = performance.now();
    const status = await connections[target].send(requests[index]);
    latencies.push(performance.now() - started);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  for (const c of connections) c.close();
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, lane));
const wallMs = performance.now() - started;
parentPort.postMessage({ latencies, statuses, wallMs });
