// An ssh-agent that misbehaves (test/hostile/fake-agent.mjs) during an agent login to the fake SSH
// server, which offers publickey so that the client asks the agent: an agent that closes the
// connection after reading the request, one that announces a reply of 0x7fffffff bytes (libssh2
// patch 0017: it looped for ever on the first, allocated the stated length for the second), and
// one that never answers, which native-ssh's bounded agent I/O (Libssh2Io::kForeignWaitMs, 10 s,
// native/core/libssh2_io.cc) ends. Also a login through the agent over three rounds, the server
// refusing the first two identities and sending USERAUTH_BANNERs before every reply (patch 0016).
// Each runs in a child process next to a healthy connection to the real sshd; see harness.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AGENT_MSG, startFakeAgent } from './fake-agent.mjs';
import { fakeServerCase, startHealthySshd } from './harness.mjs';

let sshd;
let tmp;
before(async () => {
  sshd = await startHealthySshd();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-hostile-agent-'));
});
after(async () => {
  await sshd?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `body(agent)` with a fake agent on a fresh socket, stopping it afterwards. */
async function withAgent(name, options, body) {
  const agent = await startFakeAgent(path.join(tmp, `${name}.sock`), options);
  try {
    return await body(agent);
  } finally {
    await agent.stop();
  }
}
const agentLogin = (agent, more = {}) => ({ password: undefined, agent: agent.path, ...more });
const FOREIGN_WAIT_MS = 10_000; // Libssh2Io::kForeignWaitMs
const agentFailed = ['AGENT_FAILED', 'AUTH_FAILED'];
// A failed read from the agent's socket is libssh2's LIBSSH2_ERROR_SOCKET_RECV ("agent recv
// failed"), which Authenticator::Fail() (native/core/authenticator.cc) counts as a transport
// error: the call rejects with CONNECTION_LOST although the SSH connection is fine and only the
// agent failed. Everything else is contained (prompt, bounded, healthy connection unaffected).

describe('control', () => {
  it('an agent holding one Ed25519 key: the login works, `echo hi` prints hi', async (t) => {
    await withAgent('control', {}, (agent) => fakeServerCase(t, sshd, {
      connect: agentLogin(agent),
      exec: { command: 'echo hi' },
      boundMs: 2000,
      expect: { ok: true, check: (r) => (r.outcome.stdout === 'hi\n' ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`) },
      check: (server) => {
        assert.deepEqual(agent.stats.requests, [AGENT_MSG.REQUEST_IDENTITIES, AGENT_MSG.SIGN_REQUEST]);
        assert.equal(server.stats.userauth.publickeySigned, 1);
      },
    }));
  });
});

describe('(6) an ssh-agent that misbehaves', () => {
  it('(6a) it closes the connection right after reading the request: the login fails at once (AGENT_FAILED or AUTH_FAILED)', async (t) => {
    await withAgent('close', { mode: 'close' }, (agent) => fakeServerCase(t, sshd, {
      connect: agentLogin(agent),
      boundMs: 2000,
      expect: { codes: agentFailed, stage: 'connect', check: (r) => (r.settleMs < 1000 ? undefined : `settled after ${r.settleMs} ms, not at once`) },
      check: () => assert.equal(agent.stats.closedByAgent, 1),
    }));
  });

  it('(6b) it announces a reply of 0x7fffffff bytes: the login fails at once, memory bounded', async (t) => {
    await withAgent('huge', { mode: 'hugeLength' }, (agent) => fakeServerCase(t, sshd, {
      connect: agentLogin(agent),
      boundMs: 2000,
      expect: { codes: agentFailed, stage: 'connect', check: (r) => (r.settleMs < 1000 ? undefined : `settled after ${r.settleMs} ms, not at once`) },
      check: () => assert.deepEqual(agent.stats.requests, [AGENT_MSG.REQUEST_IDENTITIES]),
    }));
  });

  // The wait on the agent's socket blocks the engine thread (every connection of the process)
  // for up to kForeignWaitMs, cut short by the connect bound: known and documented
  // (docs/reliability.md), so the healthy connection's latency is allowed that long here.
  for (const connectTimeout of [2000, 15_000]) {
    const bound = Math.min(connectTimeout, FOREIGN_WAIT_MS);
    it(`(6c) it never answers, connectTimeout ${connectTimeout / 1000} s: settles within ${bound / 1000} s + 1 s (the agent wait ends at the connect bound or after ${FOREIGN_WAIT_MS / 1000} s), the process survives (healthy latency relaxed: the agent wait blocks the engine)`, async (t) => {
      await withAgent(`silent-${connectTimeout}`, { mode: 'silent' }, (agent) => fakeServerCase(t, sshd, {
        connect: agentLogin(agent, { connectTimeout }),
        boundMs: bound,
        expect: { codes: [...agentFailed, 'TIMEOUT'], stage: 'connect', healthyLatencyMs: bound + 2000 },
        check: () => assert.deepEqual(agent.stats.requests, [AGENT_MSG.REQUEST_IDENTITIES]),
      }));
    });
  }
});

describe('(4) repeated USERAUTH_BANNERs through an agent login', () => {
  it('three identities, the first two refused, 3 banners of 30 KB before every login reply: the third logs in', async (t) => {
    await withAgent('rounds', { keys: 3 }, async (agent) => {
      const third = agent.identities[2].blob;
      await fakeServerCase(t, sshd, {
        plan: { auth: { pkOk: (blob) => blob.equals(third), banner: { text: 'b'.repeat(30_000), count: 3, gapMs: 20 } } },
        connect: agentLogin(agent, { connectTimeout: 5000 }),
        exec: { command: 'echo hi' },
        boundMs: 5000,
        expect: { ok: true, check: (r) => (r.outcome.stdout === 'hi\n' ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`) },
        check: (server) => {
          assert.equal(server.stats.userauth.publickeyQuery, 3);
          assert.equal(server.stats.userauth.publickeySigned, 1);
          // none, three queries and the signed request: five replies, three banners each
          assert.equal(server.stats.userauth.banners, 15);
        },
      });
    });
  });
});
