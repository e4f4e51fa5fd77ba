// Child process of test/integration/71-secrets-memory.test.mjs: logs in once with every kind of secret, closes
// every connection, drops its own references to the secrets, then waits on stdin while the test
// reads this process's memory (/proc/<pid>/mem) for copies of the secrets.
//
// Run as: node --expose-gc memory-scenario.mjs <plan.json>. The plan holds no secret bytes: each
// secret comes as an array of code points, and is rebuilt here as a V8 string stored in UTF-16
// (see twoByte()), so that the UTF-8 or Latin-1 bytes of a secret found in memory can only be a copy
// made by native-ssh or by a library under it, never V8's own string. Key text comes as a Buffer
// read from the key file and is zeroed here after close(), as a careful caller would.
//
// Prints one line of JSON: {"ready": true, "steps": [...]} (what each step did) or
// {"ready": false, "error": "..."}; then exits when stdin closes.
import fs from 'node:fs';

import { CloseConnection, connect, CreateConnection, ExecuteCommand, GetProxySettings, GetSettingsLoginPassword } from '../../dist/index.js';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

/**
 * The string with these code points, held by V8 in its two-byte (UTF-16) form whatever the
 * characters: built after a non-Latin-1 character and sliced off it. V8 stores a string in one
 * byte per character only when every character is Latin-1, and keeps the representation of the
 * string it slices or flattens, so even an ASCII secret never has a one-byte (= UTF-8) copy made
 * by V8 from this value.
 */
function twoByte(codePoints) {
  let text = '\u5bc6';
  for (const codePoint of codePoints) text += String.fromCodePoint(codePoint);
  return text.slice(1);
}

const secret = Object.fromEntries(Object.entries(plan.secrets).map(([name, points]) => [name, twoByte(points)]));
const steps = [];

async function idiomatic(name, options) {
  const conn = await connect({ host: '127.0.0.1', hostKey: { policy: 'off' }, ...options });
  const result = await conn.exec('echo ok');
  await conn.close();
  steps.push({ name, stdout: result.stdout.trim() });
}

// One step per kind of secret; the plan names the steps this process runs (the test runs each
// in a process of its own, so that a later connection cannot reuse and hide what an earlier one
// left behind).
const STEPS = {
  async password(user) {
    await idiomatic('password', { port: plan.sshd, username: user.password, password: secret.password });
  },
  async key(user) {
    const keyText = fs.readFileSync(plan.keyPath);
    await idiomatic('key text + passphrase', { port: plan.sshd, username: user.key, privateKey: keyText, passphrase: secret.passphrase });
    keyText.fill(0);
  },
  // The key read by native-ssh from its file (lib/open.ts reads it into a Buffer of its own).
  async keyPath(user) {
    await idiomatic('key file + passphrase', { port: plan.sshd, username: user.key, privateKeyPath: plan.keyPath, passphrase: secret.passphrase });
  },
  async keyboard(user) {
    await idiomatic('keyboard-interactive', { port: plan.kiSshd, username: user.keyboard, keyboard: [secret.answer] });
  },
  async socks5(user) {
    await idiomatic('SOCKS5 proxy password', {
      port: plan.sshd, username: user.password, password: secret.password,
      proxy: { type: 'socks5', host: '127.0.0.1', port: plan.socks5.port, login: plan.socks5.login, password: secret.socks5 },
    });
  },
  async http(user) {
    await idiomatic('HTTP proxy password', {
      port: plan.sshd, username: user.password, password: secret.password,
      proxy: { type: 'http', host: '127.0.0.1', port: plan.http.port, login: plan.http.login, password: secret.http },
    });
  },
  // OPI: CreateConnection with settings, through the HTTP proxy (Basic token) with a password.
  async opi(user) {
    const settings = GetSettingsLoginPassword('127.0.0.1', plan.sshd, user.password, secret.password);
    const proxy = GetProxySettings('127.0.0.1', plan.http.port, 'http', plan.http.login, secret.http);
    const conn = await CreateConnection(settings, proxy);
    if (conn.result === false) throw new Error(`OPI CreateConnection: ${conn.error_message ?? JSON.stringify(conn)}`);
    const run = await ExecuteCommand(conn, 'echo ok');
    const closed = await CloseConnection(conn);
    steps.push({ name: 'OPI password + HTTP proxy', stdout: String(run.stdout ?? '').trim(), closed: closed.result });
  },
};

async function main() {
  for (const step of plan.steps) await STEPS[step](plan.users);
}

try {
  await main();
  // The scan must also be able to find something: a native copy of a canary (a Buffer's bytes
  // live outside V8's heap) that this process keeps on purpose.
  globalThis.canary = Buffer.from(twoByte(plan.canary), 'utf8');
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.stdout.write(`${JSON.stringify({ ready: true, steps })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ready: false, error: String(error?.stack ?? error) })}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
