// The official OpenAI Node SDK against openai-images-emulator over TLS (run through run.mjs,
// which sets NODE_EXTRA_CA_CERTS and EMULATOR_URL). If the official SDK is happy, the emulator
// speaks the API: generate, a stream with 2 partial images, an edit with two images and a mask, a
// variation, a 400, and a 429 that succeeds after the SDK's own retries.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

const base = process.env.EMULATOR_URL;
assert.ok(base?.startsWith('https://'), 'EMULATOR_URL must be the https base URL');
const client = new OpenAI({ apiKey: 'sk-node-fidelity', baseURL: `${base}/v1`, maxRetries: 2 });

// PNG dimensions from the IHDR chunk.
function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function logged(requestId) {
  const res = await fetch(`${base}/v1/_emulator/requests/${requestId}`);
  assert.equal(res.status, 200);
  return res.json();
}

let passed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}`);
    console.error(e);
    process.exitCode = 1;
  }
}

let imageA;
let mask;

await check('generate', async () => {
  const { data: r, request_id } = await client.images
    .generate({ model: 'gpt-image-1', prompt: 'a lighthouse at dawn', size: '1024x1024', quality: 'low' })
    .withResponse();
  assert.match(request_id, /^req_/);
  assert.equal(r.data.length, 1);
  imageA = Buffer.from(r.data[0].b64_json, 'base64');
  assert.deepEqual(pngSize(imageA), { width: 1024, height: 1024 });
  assert.equal(r.size, '1024x1024');
  assert.equal(r.quality, 'low');
  assert.ok(r.usage.total_tokens > 0);
  assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
  const rec = await logged(request_id);
  assert.deepEqual(rec.body, { model: 'gpt-image-1', prompt: 'a lighthouse at dawn', size: '1024x1024', quality: 'low' });
  assert.equal(rec.auth, 'bearer');

  const m = await client.images.generate({
    model: 'gpt-image-1', prompt: 'a mask', size: '1024x1024', quality: 'low', background: 'transparent',
  });
  mask = Buffer.from(m.data[0].b64_json, 'base64');
  assert.deepEqual(pngSize(mask), { width: 1024, height: 1024 });
});

await check('stream with 2 partial images', async () => {
  const stream = await client.images.generate({
    model: 'gpt-image-1', prompt: 'a fox in the snow', stream: true, partial_images: 2, size: '1024x1024', quality: 'low',
  });
  const events = [];
  for await (const ev of stream) events.push(ev);
  assert.deepEqual(events.map((e) => e.type), [
    'image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed',
  ]);
  assert.deepEqual(events.slice(0, 2).map((e) => e.partial_image_index), [0, 1]);
  for (const e of events) assert.deepEqual(pngSize(Buffer.from(e.b64_json, 'base64')), { width: 1024, height: 1024 });
  const done = events[2];
  assert.ok(done.usage.output_tokens > 0);
  assert.equal(done.size, '1024x1024');
  assert.equal(done.output_format, 'png');
});

await check('edit with two images and a mask', async () => {
  const { data: r, request_id } = await client.images
    .edit({
      model: 'gpt-image-1',
      prompt: 'add a red hat',
      image: [
        await toFile(imageA, 'first.png', { type: 'image/png' }),
        await toFile(imageA, 'second.png', { type: 'image/png' }),
      ],
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      size: '1024x1024',
      quality: 'low',
    })
    .withResponse();
  assert.deepEqual(pngSize(Buffer.from(r.data[0].b64_json, 'base64')), { width: 1024, height: 1024 });
  const rec = await logged(request_id);
  const files = rec.body.parts.filter((p) => p.filename !== null);
  assert.deepEqual(files.map((p) => p.filename), ['first.png', 'second.png', 'mask.png']);
  assert.ok(files.every((p) => p.content_type === 'image/png'), 'every file part is image/png');
  assert.equal(files[0].size, imageA.length);
  assert.ok(['image', 'image[]'].includes(files[0].name), `image part named ${files[0].name}`);
  assert.equal(files[2].name, 'mask');
});

await check('variation', async () => {
  const small = await client.images.generate({ model: 'dall-e-2', prompt: 'a square', size: '256x256', response_format: 'b64_json' });
  const png = Buffer.from(small.data[0].b64_json, 'base64');
  const r = await client.images.createVariation({
    image: await toFile(png, 'square.png', { type: 'image/png' }),
    model: 'dall-e-2',
    n: 2,
    size: '256x256',
    response_format: 'b64_json',
  });
  assert.equal(r.data.length, 2);
  for (const d of r.data) assert.deepEqual(pngSize(Buffer.from(d.b64_json, 'base64')), { width: 256, height: 256 });
});

await check('400 invalid request', async () => {
  await assert.rejects(
    client.images.generate({ model: 'gpt-image-1', prompt: 'p', n: 11 }),
    (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `got ${e?.constructor?.name}`);
      assert.equal(e.status, 400);
      assert.equal(e.param, 'n');
      assert.equal(e.type, 'invalid_request_error');
      assert.equal(e.code, 'integer_above_max_value');
      assert.match(e.requestID, /^req_/);
      return true;
    },
  );
});

await check('429 then success after the SDK retries', async () => {
  const key = `node-429-${Date.now()}`;
  const r = await client.images.generate(
    { model: 'gpt-image-1', prompt: 'patience', quality: 'low' },
    { headers: { 'x-emulator-fault': 'status=429;retry-after-ms=20;times=2', 'x-emulator-fault-key': key } },
  );
  assert.equal(r.data.length, 1);
  const res = await fetch(`${base}/v1/_emulator/requests?fault_key=${key}`);
  const { requests } = await res.json();
  assert.deepEqual(requests.map((q) => q.status), [429, 429, 200]);
  // The SDK numbers its attempts.
  assert.deepEqual(requests.map((q) => q.headers['x-stainless-retry-count']), ['0', '1', '2']);
});

console.log(`${passed} of 6 checks passed`);
