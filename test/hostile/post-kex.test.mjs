// Hostile peers after the key exchange, at the transport layer: encrypted packets that break
// RFC 4253 §6 (not a whole number of cipher blocks, an absurd length, a padding longer than the
// packet) right after NEWKEYS or in the middle of a command, the same padding under an
// encrypt-then-MAC MAC, and a server that stops answering keepalives. Each runs in a child process
// (client-case.mjs) next to a healthy connection to the real sshd; see harness.mjs for what
// "contained" means. Three control cases show that the fake server completes a normal key
// exchange, login and command with our client.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { generateHostKey, payload } from './fake-ssh-server.mjs';
import { fakeServerCase, startHealthySshd } from './harness.mjs';
import { MSG } from './ssh-wire.mjs';

let sshd;
let tmp;
before(async () => {
  sshd = await startHealthySshd();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-hostile-'));
});
after(async () => {
  await sshd?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** An SSH_MSG_IGNORE payload with `n` bytes of data. */
const ignore = (n = 16) => payload(MSG.IGNORE, (w) => w.string(Buffer.alloc(n, 0x2e)));
const AES128 = { ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256'] };
const ETM = { ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256-etm@openssh.com'] };
/** A known_hosts file with `lines`. */
function knownHosts(name, lines) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

describe('control: the fake server is a working SSH server', () => {
  it('aes128-ctr + hmac-sha2-256, password login: `echo hi` prints hi', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: AES128,
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: {
        ok: true,
        stage: 'exec',
        check: (r) => {
          if (r.outcome.stdout !== 'hi\n') return `stdout ${JSON.stringify(r.outcome.stdout)}`;
          if (r.algorithms?.cipherServerToClient !== 'aes128-ctr' || r.algorithms?.macServerToClient !== 'hmac-sha2-256') return `negotiated ${JSON.stringify(r.algorithms)}`;
          return undefined;
        },
      },
      check: (server) => {
        assert.deepEqual(server.stats.errors, []);
        assert.equal(server.stats.userauth.succeeded, 1);
        assert.deepEqual(server.stats.commands, ['echo hi']);
      },
    });
  });

  it('aes128-ctr + hmac-sha2-256-etm@openssh.com (encrypt-then-MAC): `echo hi` prints hi', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: ETM,
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: {
        ok: true,
        check: (r) => {
          if (r.outcome.stdout !== 'hi\n') return `stdout ${JSON.stringify(r.outcome.stdout)}`;
          if (r.algorithms?.macServerToClient !== ETM.macs[0] || r.algorithms?.macClientToServer !== ETM.macs[0]) return `negotiated ${JSON.stringify(r.algorithms)}`;
          return undefined;
        },
      },
      check: (server) => assert.deepEqual(server.stats.errors, []),
    });
  });

  it('aes256-ctr + hmac-sha2-512, host key policy strict with the fake\'s key in known_hosts: `echo hi` prints hi', async (t) => {
    const hostKey = generateHostKey();
    await fakeServerCase(t, sshd, {
      plan: { hostKey, ciphers: ['aes256-ctr'], macs: ['hmac-sha2-512'] },
      connect: (server) => ({ hostKey: { policy: 'strict', knownHosts: knownHosts('control-strict', [hostKey.knownHostsLine(server.host, server.port)]) } }),
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: {
        ok: true,
        check: (r) => (r.outcome.stdout === 'hi\n' && r.hostKey?.fingerprint === hostKey.fingerprint ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}, host key ${JSON.stringify(r.hostKey)}`),
      },
    });
  });
});

describe('malformed encrypted packets', () => {
  // RFC 4253 §6: packet_length + 4 is a multiple of the cipher block size (16 for AES).
  const misalignedAfterNewKeys = { ...AES128, afterNewKeys(conn) { conn.sendPacket(ignore(), { misalign: 3 }); conn.halt(); } };
  const transportFailure = ['HANDSHAKE_FAILED', 'CONNECTION_LOST'];
  const sayingWhat = /packet|length|block/i;

  it('(1) right after NEWKEYS (aes128-ctr), a packet that is not a whole number of blocks: a clean failure that says what was wrong', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: misalignedAfterNewKeys,
      boundMs: 2000,
      expect: { codes: transportFailure, message: sayingWhat, stage: 'connect' },
    });
  });

  it('(1) the same with host key policy strict (known_hosts without the fake\'s key): still a clean failure', async (t) => {
    const other = generateHostKey();
    await fakeServerCase(t, sshd, {
      plan: misalignedAfterNewKeys,
      connect: (server) => ({ hostKey: { policy: 'strict', knownHosts: knownHosts('strict-other', [other.knownHostsLine('203.0.113.7', 22), other.knownHostsLine(server.host, 1)]) } }),
      boundMs: 2000,
      expect: { codes: [...transportFailure, 'HOST_KEY_UNKNOWN'], stage: 'connect' },
    });
  });

  it('(1) in the middle of a command, a packet that is not a whole number of blocks: CONNECTION_LOST', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { ...AES128, exec(channel) { channel.write('partial output\n'); channel.conn.sendPacket(ignore(), { misalign: 5 }); channel.conn.halt(); } },
      exec: { command: 'sleep forever', options: { timeout: 3000 } },
      boundMs: 3000,
      expect: { codes: ['CONNECTION_LOST'], message: sayingWhat, stage: 'exec' },
    });
  });

  it('right after NEWKEYS, an encrypted packet length of 0x7fffffff: HANDSHAKE_FAILED or CONNECTION_LOST', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { ...AES128, afterNewKeys(conn) { conn.sendPacket(ignore(), { lengthOverride: 0x7fffffff }); conn.halt(); } },
      boundMs: 2000,
      expect: { codes: transportFailure, stage: 'connect' },
    });
  });

  it('right after NEWKEYS, a padding length longer than the packet: HANDSHAKE_FAILED or CONNECTION_LOST', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { ...AES128, afterNewKeys(conn) { conn.sendPacket(ignore(), { paddingLength: 250 }); conn.halt(); } },
      boundMs: 2000,
      expect: { codes: transportFailure, stage: 'connect' },
    });
  });
});

describe('(7) encrypt-then-MAC: a padding length past the packet, under a correct MAC (libssh2 patch 0014)', () => {
  // The MAC covers the ciphertext, so libssh2 checks it before it decrypts and sees the padding
  // length: before patch 0014 nothing checked that length afterwards (the payload length wrapped).
  const paddingPast = /padding longer than the packet/;

  it('right after NEWKEYS: HANDSHAKE_FAILED or CONNECTION_LOST, "padding longer than the packet"', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { ...ETM, afterNewKeys(conn) { conn.sendPacket(ignore(), { paddingLength: 250 }); conn.halt(); } },
      boundMs: 2000,
      expect: { codes: ['HANDSHAKE_FAILED', 'CONNECTION_LOST'], message: paddingPast, stage: 'connect' },
    });
  });

  it('in the middle of a command: CONNECTION_LOST, "padding longer than the packet"', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { ...ETM, exec(channel) { channel.write('partial output\n'); channel.conn.sendPacket(ignore(), { paddingLength: 255 }); channel.conn.halt(); } },
      exec: { command: 'sleep forever', options: { timeout: 3000 } },
      boundMs: 3000,
      expect: { codes: ['CONNECTION_LOST'], message: paddingPast, stage: 'exec' },
    });
  });
});

describe('a server that stops answering', () => {
  it('keepalives never answered (silent after the command started), keepaliveInterval 1 s: CONNECTION_LOST', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { keepalive: 'ignore', exec(channel) { channel.conn.silence(); } },
      connect: { keepaliveInterval: 1000 },
      exec: { command: 'sleep forever' },
      boundMs: 4000,
      expect: { codes: ['CONNECTION_LOST'], stage: 'exec', message: /keepalive/ },
    });
  });
});
