// The benchmark scenarios of openai-images-bench, done with the official Node SDK (the version
// pinned in test/node/package.json, reused from test/node/node_modules), printing the same JSON
// line. CPU time and peak memory are measured from outside by bench/run.py.
//
//   node driver.mjs --base-url https://127.0.0.1:PORT/v1 --scenario unary [--requests N]
//       [--concurrency C] [--n N] [--partial-images K] [--open-concurrency R] [--hold-ms MS]
//       [--deadline-s S] [--model M] [--size S] [--quality Q]
//
// TLS trust comes from NODE_EXTRA_CA_CERTS (set by run.py to the emulator's ca.pem; Node reads it
// only at start-up). The SDK module can be overridden with OPENAI_NODE_SDK (a path to index.mjs).
// Images are decoded from base64 into Buffers, the work the C++ client does for its users.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sdkPath =
  process.env.OPENAI_NODE_SDK ?? join(here, '..', '..', 'test', 'node', 'node_modules', 'openai', 'index.mjs');
const { default: OpenAI } = await import(pathToFileURL(sdkPath).href);

const o = {
  'base-url': '', scenario: 'unary', requests: 100, concurrency: 1, n: 1, 'partial-images': 0,
  'open-concurrency': 200, 'hold-ms': 500, 'deadline-s': 0, model: 'gpt-image-1', size: '1024x1024', quality: 'low',
  ca: '',
};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const key = args[i].replace(/^--/, '');
  if (!(key in o) || i + 1 >= args.length) {
    console.error(`node driver: bad argument ${args[i]}`);
    process.exit(2);
  }
  o[key] = typeof o[key] === 'number' ? Number(args[i + 1]) : args[i + 1];
}
if (!o['base-url']) {
  console.error('node driver: --base-url is required');
  process.exit(2);
}
// --ca is accepted for symmetry with the C++ driver; Node takes it from NODE_EXTRA_CA_CERTS.
if (o.ca && !process.env.NODE_EXTRA_CA_CERTS) readFileSync(o.ca);

const client = new OpenAI({ apiKey: 'sk-bench', baseURL: o['base-url'], maxRetries: 0 });
const r = { requests: 0, errors: 0, image_bytes: 0, events: 0, opened: 0, open_s: 0, rss_open_kib: 0, first_error: '' };

function noteError(e) {
  r.errors += 1;
  if (!r.first_error) r.first_error = String(e?.message ?? e).slice(0, 200);
}

function request(stream) {
  const body = { model: o.model, prompt: 'a lighthouse at dawn, watercolour', size: o.size, quality: o.quality };
  if (o.n !== 1) body.n = o.n;
  if (stream) {
    body.stream = true;
    body.partial_images = o['partial-images'];
  }
  return body;
}

async function workers(count, fn, deadline = Infinity) {
  let next = 0;
  const one = async () => {
    while (next < o.requests && performance.now() < deadline) {
      next += 1;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, o.requests) }, one));
}

async function unaryOnce() {
  try {
    const res = await client.images.generate(request(false));
    for (const img of res.data ?? []) {
      if (img.b64_json) r.image_bytes += Buffer.from(img.b64_json, 'base64').length;
    }
    r.requests += 1;
  } catch (e) {
    noteError(e);
  }
}

async function streamOnce() {
  try {
    const stream = await client.images.generate(request(true));
    for await (const ev of stream) {
      r.events += 1;
      if (ev.b64_json) r.image_bytes += Buffer.from(ev.b64_json, 'base64').length;
    }
    r.requests += 1;
  } catch (e) {
    noteError(e);
  }
}

async function openStreams() {
  const held = [];
  const start = performance.now();
  const deadline = o['deadline-s'] > 0 ? start + 1000 * o['deadline-s'] : Infinity;
  let closing = false;
  let deadlineTimer;
  const opened = workers(o['open-concurrency'], async () => {
    try {
      const stream = await client.images.generate(request(true));
      if (closing) {
        stream.controller.abort();
        return;
      }
      r.opened += 1;
      const it = stream[Symbol.asyncIterator]();
      // A pending read on every open stream, as the C++ driver holds a next().
      const pending = (async () => {
        try {
          for (;;) {
            const { value, done } = await it.next();
            if (done) return;
            r.events += 1;
            if (value.b64_json) r.image_bytes += Buffer.from(value.b64_json, 'base64').length;
          }
        } catch {
          // aborted by us at the end
        }
      })();
      held.push({ stream, pending });
    } catch (e) {
      noteError(e);
    }
  }, deadline);
  // Opening stops at the deadline even if some attempts are still waiting.
  await Promise.race([
    opened,
    new Promise((resolve) => {
      if (deadline !== Infinity) deadlineTimer = setTimeout(resolve, deadline - start);
    }),
  ]);
  clearTimeout(deadlineTimer);
  r.open_s = (performance.now() - start) / 1000;
  await new Promise((resolve) => setTimeout(resolve, o['hold-ms']));
  r.rss_open_kib = Math.round(process.memoryUsage().rss / 1024);
  r.requests = r.opened;
  closing = true;
  for (const h of held) h.stream.controller.abort();
  await Promise.all(held.map((h) => h.pending));
}

const t0 = performance.now();
if (o.scenario === 'unary') await workers(o.concurrency, unaryOnce);
else if (o.scenario === 'idle') {
  o.requests = 1;
  o.n = 1;
  await workers(1, unaryOnce);
} else if (o.scenario === 'stream') await workers(o.concurrency, streamOnce);
else if (o.scenario === 'open-streams') await openStreams();
else {
  console.error(`node driver: unknown scenario ${o.scenario}`);
  process.exit(2);
}
const wall = (performance.now() - t0) / 1000;
process.stdout.write(
  JSON.stringify({ client: 'node', scenario: o.scenario, ...r, wall_s: Number(wall.toFixed(3)) }) + '\n',
);
// Sockets of aborted streams may linger; the result is out.
process.exit(0);
