// After close(), no copy of a secret stays in the process's memory: a child process
// (test/integration/71-secrets-memory.child.mjs) logs in with every kind of secret (password, key text with a
// passphrase, the key from a file, keyboard-interactive answer, SOCKS5 and HTTP proxy passwords;
// the idiomatic client and OPI's CreateConnection), closes everything, and waits; this test then
// reads every readable region of the child's memory through /proc/<pid>/mem and looks for each
// secret's UTF-8 bytes, its base64, `login:password` of each proxy and its base64 (the HTTP Basic
// token), pieces of the key text (base64 lines and the bytes they decode to) and the decrypted
// key's Ed25519 seed. One child per kind, then one with all kinds: a later connection reusing the
// memory could otherwise hide what an earlier one left. See docs/security.md.
//
// Why a child, and how V8's own copy is kept out of the findings: the child holds the secrets as
// JavaScript strings while it runs, so its V8 heap has them. The child builds every secret as a
// V8 two-byte (UTF-16) string (see twoByte() in the child), and the SSH secrets contain Cyrillic
// and CJK characters, which V8 can only store as UTF-16: the UTF-8 bytes found in memory are then
// copies made by native-ssh (N-API conversions, the engine's strings, proxy buffers) or by
// libssh2 / OpenSSL under it. The proxy passwords are the fixtures' (hex digits: dante checks the
// shared system account `nsshproxy`, tinyproxy's BasicAuth is written by the fixture), so for them
// only the two-byte construction keeps V8's copy apart. Reading the child from outside keeps the
// scanner's own needles and read buffers out of the memory scanned. A canary the child keeps in
// a Buffer on purpose must be found, so the scan is shown to see native memory on every run.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';

import { startDante, startTinyproxy } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCENARIO = path.join(here, '71-secrets-memory.child.mjs');
// Accounts of this test only: their passwords are not ASCII (sshd and PAM compare bytes).
const PASSWORD_USER = 'nsshsecpw';
const KEYBOARD_USER = 'nsshsecki';

function run(cmd, args, input) {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

/** useradd / chpasswd, retried while another test process holds the shadow files' lock. */
async function shadowTool(cmd, args, input, okCodes = [0]) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await run(cmd, args, input);
    if (okCodes.includes(result.code)) return;
    if (result.code !== 1 && result.code !== 10 && !/lock|try again/i.test(result.stderr)) {
      throw new Error(`${cmd} exited ${result.code}: ${result.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
  }
  throw new Error(`${cmd}: the password files stayed locked`);
}

async function account(name, password) {
  if ((await run('getent', ['passwd', name])).code !== 0) {
    await shadowTool('useradd', ['--create-home', '--shell', '/bin/sh', name], undefined, [0, 9]);
  }
  await shadowTool('chpasswd', [], `${name}:${password}\n`);
}

// A readable mapping of the child, as /proc/<pid>/maps lists it.
function readableRegions(pid) {
  const regions = [];
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (match === null || !match[3].startsWith('r')) continue;
    const name = match[4];
    if (name === '[vvar]' || name === '[vsyscall]' || name === '[vvar_vclock]') continue;
    regions.push({ start: parseInt(match[1], 16), end: parseInt(match[2], 16), perms: match[3], name });
  }
  return regions;
}

function printable(bytes) {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

/**
 * Every place in the child's readable memory where one of the needles occurs: {needle, region
 * (address range, permissions, name), offset in the region, context (hex and text of the bytes
 * around it)}. Unreadable parts (EIO) are skipped; `scanned` counts the bytes read.
 */
function scanMemory(pid, needles) {
  const chunkSize = 8 * 1024 * 1024;
  const overlap = Math.max(...needles.map((n) => n.bytes.length)) + 32;
  const chunk = Buffer.alloc(chunkSize + overlap);
  const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
  const hits = [];
  let scanned = 0;
  try {
    for (const region of readableRegions(pid)) {
      for (let at = region.start; at < region.end; at += chunkSize) {
        const want = Math.min(chunkSize + overlap, region.end - at);
        let got = 0;
        try {
          got = fs.readSync(fd, chunk, 0, want, at);
        } catch {
          continue; // a guard page or a mapping that went away
        }
        scanned += got;
        const view = chunk.subarray(0, got);
        for (const needle of needles) {
          for (let i = view.indexOf(needle.bytes); i !== -1; i = view.indexOf(needle.bytes, i + 1)) {
            if (i >= chunkSize) break; // found again at the start of the next chunk
            const context = view.subarray(Math.max(0, i - 16), Math.min(got, i + needle.bytes.length + 16));
            hits.push({
              needle: needle.name,
              region: `${region.start.toString(16)}-${region.end.toString(16)} ${region.perms} ${region.name || '[anon]'}`,
              offset: `0x${(at - region.start + i).toString(16)}`,
              context: `${context.toString('hex')} |${printable(context)}|`,
            });
          }
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hits, scanned };
}

let sshd;
let kiSshd;
let socks;
let http;
let work;
const secrets = {};
before(async () => {
  if (!canUsePassword) return;
  const tag = crypto.randomBytes(4).toString('hex');
  // Above 15 bytes each, so that no secret fits a std::string's inline buffer by chance only.
  secrets.password = `пароль-${tag}-密码-pw`;
  secrets.answer = `ответ-${tag}-答案-kbd`;
  secrets.passphrase = `фраза-${tag}-口令-key`;
  await account(PASSWORD_USER, secrets.password);
  await account(KEYBOARD_USER, secrets.answer);
  [sshd, kiSshd, socks, http] = await Promise.all([
    startSshd({ config: [`AllowUsers nsshtest ${PASSWORD_USER}`] }),
    startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no', 'PubkeyAuthentication no', `AllowUsers ${KEYBOARD_USER}`] }),
    startDante({ auth: 'username' }),
    startTinyproxy({ auth: 'basic' }),
  ]);
  secrets.socks5 = socks.password;
  secrets.http = http.password;
  work = await fsp.mkdtemp(path.join(sshd.dir, 'secrets-memory-'));
  // An OpenSSH-format Ed25519 key encrypted with the non-ASCII passphrase, authorised for the
  // fixture's own account.
  const keyPath = path.join(work, 'id_ed25519');
  const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', secrets.passphrase, '-C', 'secrets-memory', '-f', keyPath]);
  assert.equal(keygen.code, 0, keygen.stderr);
  await fsp.appendFile(path.join(sshd.dir, 'authorized_keys'), await fsp.readFile(`${keyPath}.pub`));
});
after(async () => { await Promise.all([sshd?.stop(), kiSshd?.stop(), socks?.stop(), http?.stop()]); });

/**
 * The Ed25519 private seed (32 bytes) of an unencrypted OpenSSH key file: what libssh2 gets once
 * it decrypted the key (openssh-key-v1: magic, cipher, kdf, kdf options, key count, public key,
 * then the private section: two check words, type, public key, seed || public key, comment).
 */
function ed25519Seed(plainKeyText) {
  const blob = Buffer.from(plainKeyText.split('\n').filter((line) => !line.startsWith('-----')).join(''), 'base64');
  let at = 'openssh-key-v1\0'.length;
  const string = () => {
    const length = blob.readUInt32BE(at);
    const value = blob.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  string(); string(); string(); // cipher "none", kdf "none", kdf options
  at += 4; // number of keys
  string(); // public key
  const privateSection = string();
  let p = 8; // check words
  const field = () => {
    const length = privateSection.readUInt32BE(p);
    const value = privateSection.subarray(p + 4, p + 4 + length);
    p += 4 + length;
    return value;
  };
  field(); // type
  const publicKey = field();
  const pair = field();
  assert.deepEqual(pair.subarray(32), publicKey, 'the private section is seed || public key');
  return Buffer.from(pair.subarray(0, 32));
}

/** What is looked for: each secret, its base64, each proxy's login:password and its base64, key text pieces. */
function needlesFor(keyText, seed) {
  const needles = [];
  const add = (name, bytes) => needles.push({ name, bytes: Buffer.from(bytes) });
  for (const [name, value] of Object.entries(secrets)) {
    add(`${name} (UTF-8)`, Buffer.from(value, 'utf8'));
    add(`${name} (base64)`, Buffer.from(Buffer.from(value, 'utf8').toString('base64')));
  }
  for (const [name, proxy] of [['SOCKS5', socks], ['HTTP', http]]) {
    const pair = Buffer.from(`${proxy.login}:${proxy.password}`, 'utf8');
    add(`${name} login:password`, pair);
    add(`${name} base64(login:password)`, Buffer.from(pair.toString('base64')));
  }
  const lines = keyText.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
  add('key text (2nd base64 line)', Buffer.from(lines[1]));
  add('key text (last full base64 line)', Buffer.from(lines[lines.length - 2]));
  // The key blob after the public part: its encrypted private section (RFC-less OpenSSH format).
  const blob = Buffer.from(lines.join(''), 'base64');
  add('key blob (decoded, encrypted part)', blob.subarray(blob.length - 64, blob.length - 24));
  add('Ed25519 private seed (decrypted key)', seed);
  return needles;
}

it('after close(), the process memory holds no secret nor its base64', { skip: !canUsePassword && 'needs root (accounts with passwords)', timeout: 120_000 }, async () => {
  const keyPath = path.join(work, 'id_ed25519');
  const canary = `канарейка-${crypto.randomBytes(4).toString('hex')}-金丝雀`;
  const codePoints = (text) => Array.from(text, (c) => c.codePointAt(0));
  const planFile = path.join(work, 'plan.json');
  const plan = {
    sshd: sshd.port,
    kiSshd: kiSshd.port,
    users: { password: PASSWORD_USER, key: sshd.user, keyboard: KEYBOARD_USER },
    keyPath,
    socks5: { port: socks.port, login: socks.login },
    http: { port: http.port, login: http.login },
    secrets: Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, codePoints(value)])),
    canary: codePoints(canary),
  };

  // The decrypted key, for its seed: a copy of the key file with the passphrase taken off.
  const plainPath = path.join(work, 'id_ed25519_plain');
  await fsp.copyFile(keyPath, plainPath);
  const strip = await run('ssh-keygen', ['-q', '-p', '-P', secrets.passphrase, '-N', '', '-f', plainPath]);
  assert.equal(strip.code, 0, strip.stderr);
  const needles = needlesFor(await fsp.readFile(keyPath, 'utf8'), ed25519Seed(await fsp.readFile(plainPath, 'utf8')));
  await fsp.rm(plainPath);
  needles.push({ name: 'canary (kept on purpose)', bytes: Buffer.from(canary, 'utf8') });
  const steps = [['password'], ['key'], ['keyPath'], ['keyboard'], ['socks5'], ['http'], ['opi'], ['password', 'key', 'keyPath', 'keyboard', 'socks5', 'http', 'opi']];
  const leaks = [];
  for (const names of steps) {
    await fsp.writeFile(planFile, JSON.stringify({ ...plan, steps: names }), { mode: 0o600 });
    const child = spawn(process.execPath, ['--expose-gc', SCENARIO, planFile], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const report = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (data) => {
          out += data;
          if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
        });
        child.on('exit', (code) => reject(new Error(`the scenario exited (${code}) before it was ready: ${out}`)));
      });
      assert.equal(report.ready, true, report.error);
      assert.deepEqual(report.steps.map((step) => step.stdout), names.map(() => 'ok'), JSON.stringify(report.steps));
      const { hits, scanned } = scanMemory(child.pid, needles);
      assert.ok(scanned > 10 * 1024 * 1024, `only ${scanned} bytes read from /proc/${child.pid}/mem`);
      assert.ok(hits.some((hit) => hit.needle.startsWith('canary')), 'the scan did not find the canary: it cannot see native memory');
      for (const hit of hits) if (!hit.needle.startsWith('canary')) leaks.push(`  [${names.join(', ')}] ${hit.needle} at ${hit.region} +${hit.offset}: ${hit.context}`);
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((resolve) => child.on('exit', resolve));
    }
  }
  assert.deepEqual(leaks, [], `secrets found in memory after close():\n${leaks.join('\n')}`);
});
