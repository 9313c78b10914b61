// The official OpenAI Node SDK's Files and Batches resources against openai-images-emulator over
// TLS (run through run.mjs with a small --batch-seconds-per-request): upload a JSONL file, create
// a batch of image generations, retrieve it until completed, download and read its output, list
// batches and files, cancel a second batch, delete a file. The SDK's own types and parsing prove the wire
// format.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

const base = process.env.EMULATOR_URL;
assert.ok(base?.startsWith('https://'), 'EMULATOR_URL must be the https base URL');
const client = new OpenAI({ apiKey: 'sk-node-batches', baseURL: `${base}/v1`, maxRetries: 2 });

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

function jsonl(n, prefix) {
  let text = '';
  for (let i = 0; i < n; i += 1) {
    text += `${JSON.stringify({
      custom_id: `${prefix}-${i}`,
      method: 'POST',
      url: '/v1/images/generations',
      body: { model: 'gpt-image-1', prompt: `picture ${prefix} ${i}`, size: '1024x1024', quality: 'low' },
    })}\n`;
  }
  return text;
}

async function until(id, done) {
  for (let i = 0; i < 2000; i += 1) {
    const b = await client.batches.retrieve(id);
    if (done(b)) return b;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`batch ${id} never reached the state`);
}

let inputFile;
const finished = []; // the batches that ended, for the files they made

await check('files.create uploads JSONL', async () => {
  const text = jsonl(6, 'a');
  inputFile = await client.files.create({
    file: await toFile(Buffer.from(text), 'input.jsonl', { type: 'application/jsonl' }),
    purpose: 'batch',
  });
  assert.match(inputFile.id, /^file-/);
  assert.equal(inputFile.object, 'file');
  assert.equal(inputFile.bytes, Buffer.byteLength(text));
  assert.equal(inputFile.filename, 'input.jsonl');
  assert.equal(inputFile.purpose, 'batch');
  const again = await client.files.retrieve(inputFile.id);
  assert.deepEqual(again, inputFile);
  const back = await client.files.content(inputFile.id);
  assert.equal(await back.text(), text);
});

await check('batches.create, retrieve until completed, files.content of the output', async () => {
  const batch = await client.batches.create({
    input_file_id: inputFile.id,
    endpoint: '/v1/images/generations',
    completion_window: '24h',
    metadata: { purpose: 'node' },
  });
  assert.match(batch.id, /^batch_/);
  assert.equal(batch.object, 'batch');
  assert.equal(batch.status, 'validating');
  assert.deepEqual(batch.metadata, { purpose: 'node' });
  const done = await until(batch.id, (b) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status));
  assert.equal(done.status, 'completed');
  finished.push(done);
  assert.deepEqual(done.request_counts, { total: 6, completed: 6, failed: 0 });
  assert.ok(done.usage.total_tokens > 0);
  const res = await client.files.content(done.output_file_id);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 6);
  assert.deepEqual(lines.map((l) => l.custom_id).sort(), [0, 1, 2, 3, 4, 5].map((i) => `a-${i}`));
  for (const l of lines) {
    assert.equal(l.response.status_code, 200);
    assert.equal(l.error, null);
    const png = Buffer.from(l.response.body.data[0].b64_json, 'base64');
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    assert.equal(png.readUInt32BE(16), 1024);
  }
  const out = await client.files.retrieve(done.output_file_id);
  assert.equal(out.purpose, 'batch_output');
});

await check('batches.cancel keeps partial results', async () => {
  const file = await client.files.create({
    file: await toFile(Buffer.from(jsonl(40, 'c')), 'cancel.jsonl'),
    purpose: 'batch',
  });
  const batch = await client.batches.create({
    input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h',
  });
  await until(batch.id, (b) => b.status === 'in_progress');
  const cancelling = await client.batches.cancel(batch.id);
  assert.ok(['cancelling', 'cancelled'].includes(cancelling.status), cancelling.status);
  const done = await until(batch.id, (b) => b.status === 'cancelled');
  finished.push(done);
  assert.ok(done.cancelled_at > 0);
  assert.ok(done.request_counts.completed < 40);
  const errors = (await (await client.files.content(done.error_file_id)).text()).trim().split('\n');
  const first = JSON.parse(errors[0]);
  assert.equal(first.response, null);
  assert.equal(first.error.code, 'batch_cancelled');
  assert.equal(errors.length, 40 - done.request_counts.completed);
});

await check('batches.list pages newest first', async () => {
  const ids = [];
  for await (const b of client.batches.list({ limit: 1 })) ids.push(b.id);
  assert.equal(ids.length, 2);
  assert.equal(new Set(ids).size, 2);
});

await check('files.list pages and filters by purpose', async () => {
  const inputs = [];
  for await (const f of client.files.list({ purpose: 'batch', limit: 1 })) inputs.push(f);
  assert.equal(inputs.length, 2);
  assert.ok(inputs.every((f) => f.purpose === 'batch'));
  const outputs = [];
  for await (const f of client.files.list({ purpose: 'batch_output' })) outputs.push(f.id);
  const expected = finished.flatMap((b) => [b.output_file_id, b.error_file_id]).filter(Boolean);
  assert.deepEqual(outputs.sort(), expected.sort());
});

await check('errors: unknown batch and deleted file', async () => {
  await assert.rejects(client.batches.retrieve('batch_nope'), (e) => {
    assert.ok(e instanceof OpenAI.NotFoundError, `got ${e?.constructor?.name}`);
    assert.equal(e.param, 'id');
    return true;
  });
  const deleted = await client.files.delete(inputFile.id);
  assert.deepEqual(deleted, { id: inputFile.id, object: 'file', deleted: true });
  await assert.rejects(client.files.retrieve(inputFile.id), (e) => e instanceof OpenAI.NotFoundError);
  await assert.rejects(
    client.batches.create({ input_file_id: 'file-x', endpoint: '/v1/embeddings', completion_window: '24h' }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'endpoint',
  );
});

console.log(`${passed} of 6 checks passed`);
