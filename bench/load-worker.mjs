// Runs in a worker thread (plain JavaScript, so it needs no TypeScript loader): fires the prepared
// requests at the desk with a fixed concurrency over keep-alive connections, and reports latencies.
// With several instances (job.urls), requests go to them in turn, as a round-robin load balancer would.
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';


const job = workerData;
const urls = job.urls ?? [job.url];
const agent = new Agent({ connections: job.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
const latencies = [];
const statuses = {};
let next = 0;

async function lane() {
  while (next < job.bodies.length) {
    const index = next++;
    const body = job.bodies[index];
    const started = performance.now();
    const response = await request(`${urls[index % urls.length]}/v1/refund-requests`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${job.apiKey}` },
      body,
    });
    await response.body.text();
    latencies.push(performance.now() - started);
    statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, lane));
const wallMs = performance.now() - started;
await agent.close();
parentPort.postMessage({ latencies, statuses, wallMs });
