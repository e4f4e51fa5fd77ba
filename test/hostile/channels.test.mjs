// Hostile or unusual answers at the channel layer: long command lines against the real sshd, a
// fake server that refuses the exec / pty-req / env requests or the channel itself (with a reason
// and a description), that never opens its window, or that stops reading while 64 MB of stdin
// go out. Each must end only its own command, with the right code, within its bound (+ 1 s),
// while a healthy connection in the same process keeps answering; see harness.mjs. Each runs in
// a child process (client-case.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { fakeServerCase, healthyOptions, runCase, startHealthySshd, summary, assertContained } from './harness.mjs';

let sshd;
before(async () => { sshd = await startHealthySshd(); });
after(async () => { await sshd?.stop(); });

const KiB = 1024;
/** What `printf %s xxx | wc -c` prints for a command of `length` bytes (see client-case.mjs). */
const countFor = (length) => `${length - 'printf %s  | wc -c'.length}\n`;

/** A command of `length` bytes on a second connection to the real sshd. */
async function longCommand(t, length, expect) {
  const run = await runCase({
    healthy: healthyOptions(sshd),
    connect: { ...healthyOptions(sshd), connectTimeout: 3000 },
    exec: { commandLength: length, options: { timeout: 3000 } },
  }, { boundMs: 3000 });
  t.diagnostic(summary(run));
  assertContained(run, { boundMs: 3000, stage: 'exec', ...expect });
}

describe('(4a) long command lines, real sshd', () => {
  it('a 40 KB command succeeds', async (t) => {
    await longCommand(t, 40 * KiB, { ok: true, check: (r) => (r.outcome.stdout === countFor(40 * KiB) ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`) });
  });

  // 127 KiB: the kernel's limit on one argument (MAX_ARG_STRLEN, 128 KiB with its NUL) applies to
  // the `bash -c <command>` sshd runs, so this is about the longest command a shell can take.
  it('a 127 KiB command succeeds', async (t) => {
    await longCommand(t, 127 * KiB, { ok: true, check: (r) => (r.outcome.stdout === countFor(127 * KiB) ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`) });
  });

  it('a 300 KiB command fails with CHANNEL_FAILED saying it is too long and suggesting stdin', async (t) => {
    await longCommand(t, 300 * KiB, { codes: ['CHANNEL_FAILED'], message: /too long[\s\S]*stdin/i });
  });
});

describe('(4b) refused channel requests', () => {
  it('exec refused: CHANNEL_FAILED, and the server saw exactly one exec request', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { requests: { exec: false } },
      exec: { command: 'echo refused' },
      boundMs: 2000,
      expect: { codes: ['CHANNEL_FAILED'], stage: 'exec' },
      check: (server) => assert.equal(server.stats.channelRequests.exec, 1, `the client sent ${server.stats.channelRequests.exec} exec requests (a refused request must not be repeated)`),
    });
  });

  it('pty-req refused (exec with pty: true): CHANNEL_FAILED, one pty-req and no exec', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { requests: { 'pty-req': false } },
      exec: { command: 'echo refused', options: { pty: true } },
      boundMs: 2000,
      expect: { codes: ['CHANNEL_FAILED'], stage: 'exec' },
      check: (server) => {
        assert.equal(server.stats.channelRequests['pty-req'], 1, `the client sent ${server.stats.channelRequests['pty-req']} pty-req requests (a refused request must not be repeated)`);
        assert.equal(server.stats.channelRequests.exec ?? 0, 0, 'the client sent exec after its pty-req was refused');
      },
    });
  });

  it.skip('subsystem refused: the client API has no subsystem call', () => {});

  it('env refused: not fatal, the command runs (two env requests, one exec)', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { requests: { env: false } },
      exec: { command: 'echo ran', options: { env: { NSSH_A: '1', NSSH_B: '2' } } },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: (r) => (r.outcome.stdout === 'ran\n' ? undefined : `stdout ${JSON.stringify(r.outcome.stdout)}`) },
      check: (server) => {
        assert.equal(server.stats.channelRequests.env, 2, JSON.stringify(server.stats.channelRequests));
        assert.equal(server.stats.channelRequests.exec, 1, JSON.stringify(server.stats.channelRequests));
      },
    });
  });
});

describe('channels the server will not serve', () => {
  it('channel open refused (reason 1, "administratively prohibited: go away"): CHANNEL_FAILED carrying the description', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { channel: { refuse: { reason: 1, description: 'administratively prohibited: go away' } } },
      exec: { command: 'echo never' },
      boundMs: 2000,
      expect: { codes: ['CHANNEL_FAILED'], stage: 'exec', message: /administratively prohibited: go away/ },
      check: (server) => assert.equal(server.stats.channelOpens, 1, `the client opened ${server.stats.channelOpens} channels`),
    });
  });

  it('a window that never opens (initial window 0) and a command with stdin, timeout 2 s: TIMEOUT', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { channel: { window: 0, adjust: false } },
      exec: { command: 'wc -c', options: { stdin: { bytes: 1024 * KiB }, timeout: 2000 } },
      boundMs: 2000,
      expect: { codes: ['TIMEOUT'], stage: 'exec' },
      check: (server) => assert.equal(server.stats.channelDataBytes, 0, 'data was sent beyond a window of 0'),
    });
  });

  it('the server stops reading while 64 MB of stdin go out, timeout 3 s: TIMEOUT', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: { channel: { window: 0x7fffffff }, exec(channel) { channel.conn.stopReading(); } },
      exec: { command: 'cat > /dev/null', options: { stdin: { bytes: 64 * 1024 * KiB }, timeout: 3000 } },
      boundMs: 3000,
      // The engine keeps its own copy of stdin while it is being sent (the caller's Buffer stays
      // the caller's): 64 MB of growth come from that, not from the peer.
      expect: { codes: ['TIMEOUT'], stage: 'exec', rssAllowanceMB: 64 },
    });
  });
});
