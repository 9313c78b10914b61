// Starts openai-images-emulator over TLS in a temporary directory, waits for its ready line, then
// runs a check script (fidelity.mjs unless named) in a child Node process with
// NODE_EXTRA_CA_CERTS pointing at the generated ca.pem (Node reads that variable only at
// start-up) and stops the emulator afterwards. Arguments after the script go to the emulator.
//
//   node run.mjs /path/to/openai-images-emulator [script.mjs [emulator flags...]]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const binary = process.argv[2] ?? process.env.OPENAI_IMAGES_EMULATOR;
if (!binary) {
  console.error('usage: node run.mjs /path/to/openai-images-emulator');
  process.exit(2);
}
const script = process.argv[3] ?? 'fidelity.mjs';
const extraFlags = process.argv.slice(4);
const here = dirname(fileURLToPath(import.meta.url));
const certDir = mkdtempSync(join(tmpdir(), 'openai-node-fidelity-'));
const emulator = spawn(binary, ['--tls', '--cert-dir', certDir, '--partial-interval-ms', '5', ...extraFlags], {
  stdio: ['ignore', 'pipe', 'inherit'],
});

function cleanup() {
  if (emulator.exitCode === null) emulator.kill('SIGTERM');
  rmSync(certDir, { recursive: true, force: true });
}

const baseURL = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error('no ready line from the emulator')), 15000);
  emulator.stdout.on('data', (chunk) => {
    text += chunk;
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      clearTimeout(timer);
      const m = /^listening on (https:\/\/\S+)$/.exec(text.slice(0, nl));
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected ready line: ${text.slice(0, nl)}`));
    }
  });
  emulator.on('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
}).catch((e) => {
  console.error(e.message);
  cleanup();
  process.exit(1);
});

const child = spawn(process.execPath, [join(here, script)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_EXTRA_CA_CERTS: join(certDir, 'ca.pem'),
    EMULATOR_URL: baseURL,
  },
});
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
const stopped = new Promise((resolve) => emulator.on('exit', (c) => resolve(c)));
emulator.kill('SIGTERM');
const emulatorCode = await stopped;
rmSync(certDir, { recursive: true, force: true });
if (emulatorCode !== 0) {
  console.error(`the emulator exited with ${emulatorCode} after SIGTERM`);
  process.exit(1);
}
process.exit(code);
