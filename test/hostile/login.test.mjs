// Hostile answers during login: a server-sig-algs extension (RFC 8308) that repeats rsa-sha2-256
// 64 and 1000 times while an RSA key logs in, USERAUTH_BANNERs repeated before every login reply,
// and servers that refuse every login (agent logins: agent.test.mjs). The fake server accepts any
// signed publickey request without verifying it (these cases are about the client's parsing, not
// about signatures). Each runs in a child process (client-case.mjs) next to a healthy connection
// to the real sshd; see harness.mjs. A control case logs in with Ed25519.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { fakeServerCase, startHealthySshd } from './harness.mjs';

let sshd;
let tmp;
let rsaKey;
before(async () => {
  sshd = await startHealthySshd();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-hostile-login-'));
  rsaKey = path.join(tmp, 'id_rsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'nssh-hostile', '-f', rsaKey]);
});
after(async () => {
  await sshd?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const printsHi = (r) => (!r.outcome.ok || r.outcome.stdout === 'hi\n' ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`);
const keyLogin = (file) => ({ password: undefined, privateKeyPath: file });

describe('control', () => {
  it('Ed25519 key login (publickey query, PK_OK, signed request): `echo hi` prints hi', async (t) => {
    await fakeServerCase(t, sshd, {
      connect: keyLogin(sshd.keys.ed25519),
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: { ok: true, check: printsHi },
      check: (server) => {
        assert.equal(server.stats.userauth.publickeyQuery, 1);
        assert.deepEqual(server.stats.publickeyAlgorithms, ['ssh-ed25519']);
      },
    });
  });
});

describe('(5) a server-sig-algs list with repeats, RSA key login', () => {
  for (const repeats of [64, 1000]) {
    it(`rsa-sha2-256 repeated ${repeats} times: the login proceeds and a command runs (or a clean error)`, async (t) => {
      await fakeServerCase(t, sshd, {
        plan: { extInfo: { 'server-sig-algs': Array(repeats).fill('rsa-sha2-256').join(',') } },
        connect: keyLogin(rsaKey),
        exec: { command: 'echo hi' },
        boundMs: 2000,
        expect: { ok: 'either', codes: ['AUTH_FAILED', 'HANDSHAKE_FAILED'], check: printsHi },
        check: (server, run) => {
          if (run.report?.outcome?.ok) assert.ok(server.stats.publickeyAlgorithms.every((a) => a === 'rsa-sha2-256'), server.stats.publickeyAlgorithms.join());
        },
      });
    });
  }
});

describe('(4) repeated USERAUTH_BANNERs (libssh2 patch 0016: each new banner leaked the previous one)', () => {
  it('3 banners of 30 KB, 20 ms apart, before every login reply (none, password): the login works', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { auth: { banner: { text: 'b'.repeat(30_000), count: 3, gapMs: 20 } } },
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: { ok: true, check: printsHi },
      check: (server) => assert.equal(server.stats.userauth.banners, 6),
    });
  });
});

describe('refused logins', () => {
  it('every password refused: AUTH_FAILED', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { auth: { password: false } },
      exec: { command: 'echo never' },
      boundMs: 2000,
      expect: { codes: ['AUTH_FAILED'], stage: 'connect' },
    });
  });

  it('a publickey query answered with USERAUTH_FAILURE instead of PK_OK: AUTH_FAILED, nothing signed', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { auth: { pkOk: false } },
      connect: keyLogin(sshd.keys.ed25519),
      exec: { command: 'echo never' },
      boundMs: 2000,
      expect: { codes: ['AUTH_FAILED'], stage: 'connect' },
      check: (server) => assert.equal(server.stats.userauth.publickeySigned, 0),
    });
  });
});
