#!/usr/bin/env node
// Checks libssh2's ciphers end to end after a change to its cipher/transport code (such as
// 0001-multi-block-cipher-calls.patch): for every cipher × MAC that the local OpenSSH sshd and
// libssh2 both offer, an sshd forced to that pair (test fixture, 127.0.0.1) gets:
//   - a download of random bytes (sizes around packet and block boundaries, and 3 MiB), compared
//     by SHA-256 with the file's content;
//   - an upload of random bytes through stdin to `sha256sum`, same sizes;
//   - 40 small commands with odd-sized stdin and output;
//   - a tamper check: through a relay on 127.0.0.1 that flips one bit of the server's stream
//     inside a 3 MiB download, the command must fail (MAC / tag check), never return data.
// Run from the repository root after building: node patches/libssh2/verify-ciphers.mjs [name] [--strict]
// (name: only ciphers whose name contains it). Exits non-zero on any mismatch or failure; the
// known chacha20-poly1305 hang on a tampered stream (see below) counts only with --strict.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { connect } = createRequire(import.meta.url)(path.join(root, 'dist', 'index.js'));
const { startSshd } = await import(pathToFileURL(path.join(root, 'test', 'fixtures', 'sshd.mjs')).href);

const ctr = ['aes128-ctr', 'aes192-ctr', 'aes256-ctr'];
const macs = ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1',
  'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com'];
const strict = process.argv.includes('--strict');
const only = process.argv.slice(2).find((a) => !a.startsWith('--')); // only ciphers containing this
const allPairs = [
  ...ctr.flatMap((c) => macs.map((m) => [c, m])),
  ['aes128-gcm@openssh.com', null],
  ['aes256-gcm@openssh.com', null],
  // Last: its known hang (below) keeps native-ssh's shared engine thread busy for good.
  ['chacha20-poly1305@openssh.com', null],
];
const pairs = allPairs.filter(([c]) => !only || c.includes(only));
const sizes = [0, 1, 15, 16, 17, 31, 32, 33, 255, 4096, 32767, 32768, 32769, 65535, 100_003, 3 * 1024 * 1024 + 7];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-verify-'));
fs.chmodSync(dir, 0o755);
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const files = sizes.map((n) => {
  const data = crypto.randomBytes(n);
  const file = path.join(dir, `r${n}`);
  fs.writeFileSync(file, data, { mode: 0o644 });
  return { n, file, hash: sha(data), data };
});

/** A relay to sshd that flips one bit of the server→client stream at byte `offset`. */
function tamperRelay(port, offset) {
  const server = net.createServer((client) => {
    const up = net.connect({ host: '127.0.0.1', port });
    let seen = 0;
    up.on('data', (d) => {
      if (seen <= offset && offset < seen + d.length) {
        d = Buffer.from(d);
        d[offset - seen] ^= 0x10;
      }
      seen += d.length;
      client.write(d);
    });
    client.on('data', (d) => up.write(d));
    const end = () => { client.destroy(); up.destroy(); };
    up.on('close', end); client.on('close', end);
    up.on('error', end); client.on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const big = files[files.length - 1];
async function tamperCheck(sshd) {
  const relay = await tamperRelay(sshd.port, 200_000);
  let c;
  try {
    c = await connect({ host: '127.0.0.1', port: relay.address().port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
    const outcome = await Promise.race([
      c.exec(`cat ${big.file}`, { encoding: 'buffer' }).then((r) => (sha(r.stdout) === big.hash ? 'undetected (data intact?)' : 'CORRUPTED DATA RETURNED'), () => 'rejected'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000)),
    ]);
    return outcome;
  } finally {
    if (c) await Promise.race([c.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    relay.close();
  }
}

let failures = 0;
const fail = (what) => { failures++; console.log(`  FAIL ${what}`); };
for (const [cipher, mac] of pairs) {
  const config = [`Ciphers ${cipher}`, ...(mac ? [`MACs ${mac}`] : [])];
  const sshd = await startSshd({ config, authorize: ['ed25519'] });
  const label = `${cipher}${mac ? ` + ${mac}` : ''}`;
  const before = failures;
  try {
    const c = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
    const a = c.algorithms;
    if (a.cipherServerToClient !== cipher || a.cipherClientToServer !== cipher) fail(`${label}: negotiated ${a.cipherClientToServer}/${a.cipherServerToClient}`);
    if (mac && (a.macServerToClient !== mac || a.macClientToServer !== mac)) fail(`${label}: negotiated ${a.macClientToServer}/${a.macServerToClient}`);
    for (const f of files) {
      const down = await c.exec(`cat ${f.file}`, { encoding: 'buffer' });
      if (down.exitCode !== 0 || down.stdout.length !== f.n || sha(down.stdout) !== f.hash) fail(`${label}: download of ${f.n} bytes`);
      const up = await c.exec('sha256sum', { stdin: f.data });
      if (up.exitCode !== 0 || up.stdout.split(' ')[0] !== f.hash) fail(`${label}: upload of ${f.n} bytes`);
    }
    for (let i = 0; i < 40; i++) {
      const input = crypto.randomBytes(i * 7 + (i % 3));
      const r = await c.exec(`cat; printf '%0${i * 13 + 1}d' 0 >&2`, { stdin: input, encoding: 'buffer' });
      if (!r.stdout.equals(input) || r.stderr.length !== i * 13 + 1) fail(`${label}: small command ${i}`);
    }
    await c.close();
    const tamper = await tamperCheck(sshd);
    if (tamper === 'hung' && cipher.startsWith('chacha20') && !strict) {
      // libssh2 1.11.1: chachapoly's failed MAC check returns 1 from crypt(), which
      // _libssh2_transport_read() passes on as a packet type, so callers read the same bytes
      // again forever (a busy engine thread, one leaked payload per turn). Not from our patch.
      console.log(`  KNOWN ISSUE ${label}: tampered stream hangs (libssh2 1.11.1 chachapoly MAC failure; --strict counts it)`);
    } else if (tamper !== 'rejected') {
      fail(`${label}: tampered stream: ${tamper}`);
    }
    if (failures === before) console.log(`ok   ${label}`);
  } catch (error) {
    fail(`${label}: ${error.message}`);
  } finally {
    await sshd.stop();
  }
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(failures ? `${failures} failures` : `all ${pairs.length} cipher/MAC pairs passed`);
process.exit(failures ? 1 : 0);
