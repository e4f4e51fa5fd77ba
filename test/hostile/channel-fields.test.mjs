// Channel messages whose fields a hostile server chooses (libssh2 patches 0015 and 0021): an
// "exit-signal" whose name length runs past the packet (libssh2 allocated the stated length, up
// to 4 GiB, left it unfilled and strlen() ran over it), two exit-signals (the first name leaked),
// window adjusts whose sum passes 2^32 - 1 (the window wrapped and writes stalled), and an
// exit-signal for a channel whose open the server then refuses (the name leaked). Each must end
// only its own command, the right way, with bounded memory (and, under scripts/asan-tests.sh, no
// sanitizer report), while a healthy connection in the same process keeps answering; see
// harness.mjs. Each runs in a child process (client-case.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { payload } from './fake-ssh-server.mjs';
import { defaultExec } from './fake-ssh-services.mjs';
import { fakeServerCase, startHealthySshd } from './harness.mjs';
import { MSG } from './ssh-wire.mjs';

let sshd;
before(async () => { sshd = await startHealthySshd(); });
after(async () => { await sshd?.stop(); });

const MiB = 1024 * 1024;

/** A CHANNEL_REQUEST (want-reply false) of `type` to the client's channel `recipient`, then the fields of `fill`. */
const request = (recipient, type, fill) => payload(MSG.CHANNEL_REQUEST, (w) => {
  w.u32(recipient).string(type).bool(false);
  fill(w);
});
/** A well-formed exit-signal (RFC 4254 §6.10): name, core dumped, message, language. */
const exitSignal = (recipient, name) => request(recipient, 'exit-signal', (w) => w.string(name).bool(false).string('').string(''));
/** An exit-signal whose name length field says `length` while only `present` follows. */
const exitSignalPast = (recipient, length, present) => request(recipient, 'exit-signal', (w) => w.u32(length).raw(present));
const exitStatus = (recipient, code) => request(recipient, 'exit-status', (w) => w.u32(code));

/** A plan whose exec sends `packets(channel.peerId)`, then EOF and CLOSE. */
const ending = (packets) => ({
  exec(channel) {
    for (const p of packets(channel.peerId)) channel.conn.sendPacket(p);
    channel.eof();
    channel.close();
  },
});
/** expect.check: the command settled ok with this signal (and, when given, exit code). */
const endedWith = (signal, exitCode) => (r) => {
  const { signal: got, exitCode: code } = r.outcome;
  if (Array.isArray(signal) ? !signal.includes(got) : got !== signal) return `signal ${JSON.stringify(got)}, expected ${JSON.stringify(signal)}`;
  if (exitCode !== undefined && code !== exitCode) return `exit code ${code}, expected ${exitCode}`;
  return undefined;
};

describe('(1) exit-signal names', () => {
  it('control: a well-formed exit-signal TERM: the result reports signal TERM, exit code null', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: ending((id) => [exitSignal(id, 'TERM')]),
      exec: { command: 'kill me' },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: endedWith('TERM', null) },
    });
  });

  it('a name length of 0x7fffffff (4 bytes present), then exit-status 7: ok, no signal, exit code 7', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: ending((id) => [exitSignalPast(id, 0x7fffffff, 'TERM'), exitStatus(id, 7)]),
      exec: { command: 'kill me' },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: endedWith(null, 7) },
    });
  });

  it('a name length of 1000 with 3 bytes present, then close without exit-status: ok, no signal', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: ending((id) => [exitSignalPast(id, 1000, 'TER')]),
      exec: { command: 'kill me' },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: endedWith(null) },
    });
  });
});

describe('(2) exit-signal twice', () => {
  it('TERM, then KILL: the result reports one of them (libssh2 keeps the last)', async (t) => {
    const run = await fakeServerCase(t, sshd, {
      plan: ending((id) => [exitSignal(id, 'TERM'), exitSignal(id, 'KILL')]),
      exec: { command: 'kill me twice' },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: endedWith(['TERM', 'KILL'], null) },
    });
    t.diagnostic(`reported: ${run.report.outcome.signal}`);
  });

  it('TERM, then one whose name length runs past the packet: TERM is kept', async (t) => {
    await fakeServerCase(t, sshd, {
      plan: ending((id) => [exitSignal(id, 'TERM'), exitSignalPast(id, 0x7fffffff, 'KILL')]),
      exec: { command: 'kill me twice' },
      boundMs: 2000,
      expect: { ok: true, stage: 'exec', check: endedWith('TERM', null) },
    });
  });
});

describe('(3) window adjusts past 2^32 - 1', () => {
  const stdinCounted = (r) => (r.outcome.stdout === `${MiB}\n` ? undefined : `the server counted ${JSON.stringify(r.outcome.stdout)} bytes of stdin, expected ${MiB}`);
  /** A plan: our window `window`, then `adjusts` sent once exec is accepted, then `wc -c` of stdin. */
  const adjusting = (window, adjusts) => ({
    channel: { window, adjust: false },
    exec(channel, command) {
      for (const bytes of adjusts) channel.conn.sendPacket(payload(MSG.CHANNEL_WINDOW_ADJUST, (w) => w.u32(channel.peerId).u32(bytes)));
      defaultExec(channel, command);
    },
  });
  const cases = [
    // Without saturation the sum wraps to 0x7ffffffd: still room (this one shows no stall either way).
    ['window 0x7fffffff, then two adjusts of 0xffffffff', 0x7fffffff, [0xffffffff, 0xffffffff]],
    // Without saturation 0xffffffff + 1 wraps to exactly 0: the client could never send.
    ['window 0, then adjusts of 0xffffffff and 1 (a wrapped sum is exactly 0)', 0, [0xffffffff, 1]],
  ];
  for (const [name, window, adjusts] of cases) {
    it(`${name}: 1 MiB of stdin all arrives, the command completes`, async (t) => {
      await fakeServerCase(t, sshd, {
        plan: adjusting(window, adjusts),
        exec: { command: 'wc -c', options: { stdin: { bytes: MiB }, timeout: 3000 } },
        boundMs: 3000,
        expect: { ok: true, stage: 'exec', check: stdinCounted },
        check: (server) => assert.equal(server.stats.channelDataBytes, MiB),
      });
    });
  }
});

describe('(5) exit-signal before an open failure', () => {
  for (const [what, name] of [['TERM', 'TERM'], ['a 30 KB name', 'S'.repeat(30_000)]]) {
    it(`exit-signal (${what}) for the channel being opened, then OPEN_FAILURE: CHANNEL_FAILED with the description`, async (t) => {
      await fakeServerCase(t, sshd, {
        plan: {
          channel: {
            beforeReply: (conn, peerId) => conn.sendPacket(exitSignal(peerId, name)),
            refuse: { reason: 2, description: 'signalled, then refused' },
          },
        },
        exec: { command: 'echo never' },
        boundMs: 2000,
        expect: { codes: ['CHANNEL_FAILED'], stage: 'exec', message: /signalled, then refused/ },
        check: (server) => assert.equal(server.stats.channelOpens, 1),
      });
    });
  }
});
