// Hostile peers before the key exchange: a server that never sends its KEXINIT, floods of CR/LF
// and of long non-SSH lines before its banner, unencrypted packets of an unknown type (200) or
// SSH_MSG_IGNORE streamed without end after the banner, garbage, an absurd packet length and a
// padding longer than its packet. Each must fail only its own connect, within connectTimeout
// (+ 1 s), with bounded memory, while a healthy connection in the same process (same engine
// thread) keeps answering; see harness.mjs. Each runs in a child process (client-case.mjs).
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { payload } from './fake-ssh-server.mjs';
import { fakeServerCase, startHealthySshd } from './harness.mjs';
import { MSG, PacketSealer } from './ssh-wire.mjs';

let sshd;
before(async () => { sshd = await startHealthySshd(); });
after(async () => { await sshd?.stop(); });

const CONNECT_MS = 2000;
const failed = ['TIMEOUT', 'HANDSHAKE_FAILED', 'CONNECTION_LOST'];
const malformed = ['HANDSHAKE_FAILED', 'CONNECTION_LOST'];

/** `count` unencrypted packets carrying `body`, as one buffer (a flood's unit). */
function packets(body, count) {
  const sealer = new PacketSealer();
  return Buffer.concat(Array.from({ length: count }, () => sealer.seal(body)));
}
/** Deterministic pseudo-random bytes (the same garbage on every run). */
function garbage(n, seed = 'hostile') {
  const out = [];
  let block = crypto.createHash('sha256').update(seed).digest();
  for (let size = 0; size < n; size += block.length) {
    out.push(block);
    block = crypto.createHash('sha256').update(block).digest();
  }
  return Buffer.concat(out).subarray(0, n);
}
/** A plan that ends its script at `hook` and then writes `unit` again and again, as fast as the client reads. */
const floodAt = (hook, unit) => ({ [hook](conn) { conn.halt(); conn.flood(() => unit); } });

describe('a server that says too little', () => {
  it('banner, then no KEXINIT ever (silence): TIMEOUT at connectTimeout', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { sendKexinit: false },
      boundMs: CONNECT_MS,
      expect: { codes: ['TIMEOUT'], stage: 'connect', message: /stage: SSH handshake/ },
    });
  });
});

describe('floods before the key exchange', () => {
  it('(3a) CR/LF without end before the banner: fails by a limit or at connectTimeout', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: floodAt('beforeBanner', Buffer.from('\r\n'.repeat(32 * 1024))),
      boundMs: CONNECT_MS,
      expect: { codes: failed, stage: 'connect' },
    });
  });

  it('(3a) long non-SSH lines (4 KB each) without end before the banner: fails by a limit or at connectTimeout', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: floodAt('beforeBanner', Buffer.from(`${'x'.repeat(4094)}\r\n`.repeat(16))),
      boundMs: CONNECT_MS,
      expect: { codes: failed, stage: 'connect' },
    });
  });

  it('(2) unencrypted packets of unknown type 200 streamed without end after the banner: fails, memory bounded', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: floodAt('afterBanner', packets(payload(200, (w) => w.string(Buffer.alloc(200, 0x41))), 256)),
      boundMs: CONNECT_MS,
      expect: { codes: failed, stage: 'connect' },
    });
  });

  it('(3b) small SSH_MSG_IGNORE packets streamed without end after the banner: fails, the healthy connection unaffected', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: floodAt('afterBanner', packets(payload(MSG.IGNORE, (w) => w.string('x')), 2048)),
      boundMs: CONNECT_MS,
      expect: { codes: failed, stage: 'connect' },
    });
  });
});

describe('malformed packets before the key exchange', () => {
  it('64 KB of garbage after the banner, then silence: HANDSHAKE_FAILED (or TIMEOUT)', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { afterBanner(conn) { conn.halt(); conn.sendRaw(garbage(64 * 1024)); } },
      boundMs: CONNECT_MS,
      expect: { codes: ['HANDSHAKE_FAILED', 'TIMEOUT'], stage: 'connect' },
    });
  });

  it('a packet length of 0x7fffffff after the banner: HANDSHAKE_FAILED', async (t) => {
    const huge = Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff, 4]), Buffer.alloc(60, 0x42)]);
    await fakeServerCase(t, sshd, {
      plan: { afterBanner(conn) { conn.halt(); conn.sendRaw(huge); } },
      boundMs: CONNECT_MS,
      expect: { codes: malformed, stage: 'connect' },
    });
  });

  it('a padding length longer than the packet (unencrypted): HANDSHAKE_FAILED', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { afterBanner(conn) { conn.halt(); conn.sendPacket(payload(MSG.IGNORE, (w) => w.string('x')), { paddingLength: 250 }); } },
      boundMs: CONNECT_MS,
      expect: { codes: malformed, stage: 'connect' },
    });
  });
});
