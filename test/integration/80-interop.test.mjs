// Interoperability beyond OpenSSH: the same checks against OpenSSH 9.2 (sshd), Dropbear 2022.83
// and TinySSH 20230101, each started on 127.0.0.1 by the test: a login with every key type the
// server supports (and a password where it has them), a command's stdout / stderr / exit code,
// 20 commands at once, and the way through a SOCKS5 (dante) and an HTTP CONNECT (tinyproxy)
// proxy, checked on the wire (`ss` shows the proxy owning the SSH server's peer socket).
//
// What the servers are known to do (see docs/tested-servers.md):
// - TinySSH serves exactly one session channel per connection and closes the connection when
//   that command is done; a second command on the same connection fails (CHANNEL_FAILED or
//   CONNECTION_LOST, never a hang). Parallel commands against TinySSH need one connection each.
// - Dropbear 2022.83 (Debian 12) has a server bug (mkj/dropbear#321, fixed upstream by PR #326,
//   October 2024): a command that exits while another channel is open but has not yet sent its
//   exec request makes Dropbear close that channel early, and the server then dies with
//   "Failed assertion (common-channel.c:705): `!channel->sent_close'". Parallel commands whose
//   processes all start before any of them exits are fine; that is what the parallel test does
//   (a barrier), and the unsynchronised variant is kept as a TODO test that documents the bug.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  connect,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
} from '../../dist/index.js';
import { dropbearAvailable, startDropbear } from '../fixtures/dropbear.mjs';
import { startDante, startTinyproxy } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';
import { startTinySsh, tinysshAvailable } from '../fixtures/tinyssh.mjs';

const IS_ROOT = process.getuid?.() === 0;
const PARALLEL = 20;

/** name -> fixture; filled by before() */
const servers = {};
let dante;
let tinyproxy;

before(async () => {
  const started = await Promise.allSettled([
    startSshd().then((s) => { servers.openssh = s; }),
    dropbearAvailable && startDropbear().then((s) => { servers.dropbear = s; }),
    tinysshAvailable && startTinySsh().then((s) => { servers.tinyssh = s; }),
    IS_ROOT && startDante({ auth: 'none' }).then((p) => { dante = p; }),
    IS_ROOT && startTinyproxy({ auth: 'none' }).then((p) => { tinyproxy = p; }),
  ]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
});

after(async () => {
  await Promise.all([...Object.values(servers), dante, tinyproxy].filter(Boolean).map((f) => f.stop()));
});

/** Idiomatic connect options for a server fixture and one of its logins. */
function optionsFor(server, login, extra = {}) {
  const base = { host: server.host, port: server.port, username: server.user, hostKey: { policy: 'off' }, connectTimeout: 15_000, ...extra };
  if (login === 'password') return { ...base, password: server.password };
  return { ...base, privateKeyPath: server.keys[login], ...(login === 'ecdsa' ? { passphrase: server.keys.ecdsaPassphrase } : {}) };
}

/** OPI settings for a server fixture and one of its logins. */
function opiSettingsFor(server, login) {
  const set = login === 'password'
    ? GetSettingsLoginPassword(server.host, server.port, server.user, server.password)
    : GetSettingsPrivateKey(server.host, server.port, server.user, server.keys[login], undefined,
      login === 'ecdsa' ? server.keys.ecdsaPassphrase : undefined);
  return { ...set, host_key_policy: 'off', connect_timeout: 15 };
}

/** Runs a local command (as the test's user), resolving to stdout. */
function local(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * The names of the processes owning the local TCP socket bound to 127.0.0.1:`port` (the client
 * end of an SSH connection as the server sees it in $SSH_CONNECTION). Needs root for -p.
 */
async function socketOwners(port, serverPort) {
  // Both ends: another process may have an unrelated socket whose local port is the same number
  // (a test server listening on it, say).
  const out = await local('ss', ['-Htnp', 'state', 'established', `( sport = :${port} and dport = :${serverPort} )`]);
  return [...out.matchAll(/\("([^"]+)",pid=/g)].map((m) => m[1]);
}

/**
 * A shell command that waits (bounded, 15 s) until `count` commands of the group `dir` have
 * started, so that every one of them runs while all the others do; prints "<i> <started>".
 */
function barrierCommand(dir, i, count) {
  return `d=${dir}; mkdir -p $d 2>/dev/null; : > $d/${i}; n=0; `
    + `while [ $(ls $d | wc -l) -lt ${count} ] && [ $n -lt 300 ]; do sleep 0.05; n=$((n+1)); done; `
    + `echo "${i} $(ls $d | wc -l)"; echo "e${i}" >&2; exit ${i % 7}`;
}

function barrierDir() {
  return `/tmp/nssh-barrier-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * Waits (bounded) for promises of exec results; states are 'ok' or '<code>: <message>', or
 * 'pending' for those that had not settled when the bound ran out.
 */
async function settleWithin(promises, ms) {
  const states = promises.map(() => 'pending');
  promises.forEach((p, i) => {
    p.then(() => { states[i] = 'ok'; }, (e) => { states[i] = `${e.code}: ${e.message}`; });
  });
  let timer;
  const timedOut = await Promise.race([
    Promise.allSettled(promises).then(() => false),
    new Promise((resolve) => { timer = setTimeout(resolve, ms, true); }),
  ]);
  clearTimeout(timer);
  await new Promise(setImmediate); // let the last then() callbacks record their state
  return { states, timedOut };
}

/** Checks the results of PARALLEL barrier commands: each saw all the others running. */
function assertBarrierResults(results) {
  results.forEach((r, i) => {
    assert.deepEqual(r, { stdout: `${i} ${PARALLEL}\n`, stderr: `e${i}\n`, exitCode: i % 7, signal: null }, `command ${i}`);
  });
}

/**
 * Connects through `proxy`, runs a command that prints $SSH_CONNECTION and then waits until the
 * test lets it go, and meanwhile looks up (with ss) which local process owns the client end of
 * that SSH connection. Works for TinySSH too (one command per connection).
 */
async function peerOwnerThrough(server, proxy) {
  const go = `/tmp/nssh-go-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const conn = await connect(optionsFor(server, 'ed25519', proxy ? { proxy: { type: proxy.type, host: proxy.host, port: proxy.port } } : {}));
  try {
    const s = conn.stream(`echo "$SSH_CONNECTION"; n=0; while [ ! -e ${go} ] && [ $n -lt 300 ]; do sleep 0.05; n=$((n+1)); done; echo done`);
    const iterator = s[Symbol.asyncIterator]();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await iterator.next();
      assert.ok(!done, `the command ended before printing SSH_CONNECTION (got ${JSON.stringify(text)})`);
      if (value.stream === 'stdout') text += value.data.toString('utf8');
    }
    const [clientIp, clientPort, serverIp, serverPort] = text.split('\n')[0].trim().split(/\s+/);
    assert.equal(clientIp, '127.0.0.1');
    assert.equal(serverIp, '127.0.0.1');
    assert.equal(Number(serverPort), server.port);
    const owners = await socketOwners(Number(clientPort), Number(serverPort));
    fs.writeFileSync(go, '');
    for await (const chunk of { [Symbol.asyncIterator]: () => iterator }) {
      if (chunk.stream === 'stdout') text += chunk.data.toString('utf8');
    }
    const exit = await s.done;
    assert.equal(exit.exitCode, 0);
    assert.match(text, /done\n$/);
    return owners;
  } finally {
    fs.rmSync(go, { force: true });
    await conn.close();
  }
}

/** Shared checks of one server. */
function serverSuite(name, { logins, banner, oneSessionPerConnection = false }) {
  const server = () => servers[name];

  for (const login of logins) {
    it(`logs in with ${login === 'password' ? 'a password' : `an ${login} key`}; stdout, stderr and exit code`, async () => {
      const conn = await connect(optionsFor(server(), login));
      try {
        assert.match(conn.serverBanner, banner);
        assert.ok(Object.values(server().hostKeyFingerprints).includes(conn.hostKey.fingerprint),
          `host key ${conn.hostKey.type} ${conn.hostKey.fingerprint} is one of the server's`);
        for (const [key, value] of Object.entries(conn.algorithms)) assert.notEqual(value, '', `algorithms.${key}`);
        const r = await conn.exec('whoami; printf "to stderr\\n" >&2; exit 3');
        assert.deepEqual(r, { stdout: `${server().user}\n`, stderr: 'to stderr\n', exitCode: 3, signal: null });
      } finally {
        await conn.close();
      }
    });
  }

  it(`OPI ExecuteCommand with each login gives OPI's result shape`, async () => {
    const results = await Promise.all(logins.map((login) =>
      ExecuteCommand(GetConnectionConfiguration(opiSettingsFor(server(), login)), 'echo out; echo err >&2; exit 4')));
    for (const result of results) {
      assert.deepEqual(result, { result: true, exit_code: '4', stdout: 'out', stderr: 'err\n', close_connection: { result: true } });
    }
  });

  if (!oneSessionPerConnection) {
    it(`${PARALLEL} commands at once on one connection, all running at the same time`, async () => {
      const conn = await connect(optionsFor(server(), 'ed25519'));
      const dir = barrierDir();
      try {
        const results = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => conn.exec(barrierCommand(dir, i, PARALLEL))));
        assertBarrierResults(results);
        const again = await conn.exec('echo still usable');
        assert.equal(again.stdout, 'still usable\n');
      } finally {
        await conn.exec(`rm -rf ${dir}`).catch(() => {});
        await conn.close();
      }
    });
  } else {
    it(`${PARALLEL} commands at once, one connection each (the server serves one command per connection)`, async () => {
      const dir = barrierDir();
      try {
        const results = await Promise.all(Array.from({ length: PARALLEL }, async (_, i) => {
          const conn = await connect(optionsFor(server(), 'ed25519'));
          try {
            return await conn.exec(barrierCommand(dir, i, PARALLEL));
          } finally {
            await conn.close();
          }
        }));
        assertBarrierResults(results);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a second command on the same connection fails promptly with CHANNEL_FAILED, CONNECTION_LOST or NOT_CONNECTED', async () => {
      const conn = await connect(optionsFor(server(), 'ed25519'));
      try {
        assert.equal((await conn.exec('echo first')).stdout, 'first\n');
        const t0 = Date.now();
        const error = await conn.exec('echo second').then(() => null, (e) => e);
        assert.ok(error, 'the second command was refused');
        // TinySSH closes the connection once its one channel is done: the engine notices while
        // idle, so the second command may find the connection already lost (NOT_CONNECTED), or
        // lose it on the way (CONNECTION_LOST), or be refused a channel (CHANNEL_FAILED).
        assert.ok(['CHANNEL_FAILED', 'CONNECTION_LOST', 'NOT_CONNECTED'].includes(error.code), `${error.code}: ${error.message}`);
        assert.ok(Date.now() - t0 < 5_000, 'promptly');
        console.log(`# ${name}: a second command on one connection: ${error.code} "${error.message}"`);
      } finally {
        await conn.close();
      }
    });

    it('commands started together on one connection: one runs, the others fail and none hangs', async () => {
      const conn = await connect(optionsFor(server(), 'ed25519'));
      try {
        const { states, timedOut } = await settleWithin(Array.from({ length: 5 }, (_, i) => conn.exec(`echo ${i}`)), 4_000);
        console.log(`# ${name}: 5 commands at once on one connection: ${states.join(' | ')}`);
        assert.ok(!timedOut, `every command settled within 4 s: ${states.join(' | ')}`);
        assert.equal(states.filter((s) => s === 'ok').length, 1);
        for (const s of states.filter((x) => x !== 'ok')) assert.match(s, /^(CHANNEL_FAILED|CONNECTION_LOST)/);
      } finally {
        await conn.close();
      }
    });
  }

  for (const kind of ['socks5', 'http']) {
    it(`through the ${kind === 'socks5' ? 'SOCKS5 proxy (dante)' : 'HTTP CONNECT proxy (tinyproxy)'}: the proxy carries the connection`, { skip: !IS_ROOT && 'the proxies need root' }, async () => {
      const proxy = kind === 'socks5' ? dante : tinyproxy;
      const owners = await peerOwnerThrough(server(), proxy);
      assert.deepEqual(owners, [kind === 'socks5' ? 'danted' : 'tinyproxy'], `the SSH server's peer socket is the proxy's (owners: ${owners})`);
      const result = await ExecuteCommand(GetConnectionConfiguration(opiSettingsFor(server(), 'ed25519'),
        GetProxySettings(proxy.host, proxy.port, kind)), 'whoami');
      assert.deepEqual(result, { result: true, exit_code: '0', stdout: server().user, stderr: '', close_connection: { result: true } });
    });
  }
}

describe('OpenSSH (sshd)', () => {
  serverSuite('openssh', {
    logins: ['ed25519', 'ecdsa', 'rsa', ...(canUsePassword ? ['password'] : [])],
    banner: /^SSH-2\.0-OpenSSH_/,
  });

  it('direct connections are made by this process (control for the proxy checks)', { skip: !IS_ROOT && 'ss -p needs root' }, async () => {
    const self = fs.readFileSync('/proc/self/comm', 'utf8').trim();
    assert.deepEqual(await peerOwnerThrough(servers.openssh, null), [self]);
  });

  it(`${PARALLEL} commands on one connection without synchronisation`, async () => {
    const conn = await connect(optionsFor(servers.openssh, 'ed25519'));
    try {
      const results = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => conn.exec(`echo ${i}; echo e${i} >&2; exit ${i % 5}`)));
      results.forEach((r, i) => {
        assert.deepEqual(r, { stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: i % 5, signal: null });
      });
    } finally {
      await conn.close();
    }
  });
});

describe('Dropbear', { skip: !dropbearAvailable && 'needs root and dropbear-bin' }, () => {
  serverSuite('dropbear', {
    logins: ['rsa', 'ecdsa', 'ed25519', 'password'],
    banner: /^SSH-2\.0-dropbear_/,
  });

  it('a command over Dropbear\'s 9000-byte limit: the server drops the connection, and the error says the command was long and suggests stdin', async () => {
    const conn = await connect(optionsFor(servers.dropbear, 'ed25519'));
    try {
      const error = await conn.exec(`printf %s ${'x'.repeat(20_000)} | wc -c`).then(() => null, (e) => e);
      assert.ok(error, 'Dropbear 2022.83 refuses a 20 KB command');
      assert.equal(error.code, 'CONNECTION_LOST');
      assert.match(error.message, /20\d{3} bytes, which this server may not accept in one request: pass a long script on stdin/);
    } finally {
      await conn.close();
    }
  });

  for (const type of ['ed25519', 'rsa']) {
    it(`a Dropbear with only an ${type} host key: negotiated and verified`, async () => {
      const db = await startDropbear({ hostKeyTypes: [type], keys: servers.dropbear.keys, authorize: ['ed25519'] });
      try {
        const conn = await connect(optionsFor(db, 'ed25519'));
        try {
          assert.match(conn.algorithms.hostKey, type === 'rsa' ? /^rsa-sha2-(256|512)$/ : /^ssh-ed25519$/);
          assert.deepEqual(Object.values(db.hostKeyFingerprints), [conn.hostKey.fingerprint]);
          assert.equal(conn.serverBanner, `SSH-2.0-dropbear_${db.version}`);
          assert.equal((await conn.exec('echo ok')).stdout, 'ok\n');
          console.log(`# dropbear ${db.version} host key ${type}: ${conn.algorithms.hostKey}`);
        } finally {
          await conn.close();
        }
      } finally {
        await db.stop();
      }
    });
  }

  it(`${PARALLEL} commands on one connection without synchronisation (Dropbear 2022.83 bug mkj/dropbear#321)`, {
    todo: 'Dropbear before the fix of mkj/dropbear#321 closes channels whose exec request arrives after another command exited, then dies on an assertion',
  }, async () => {
    const conn = await connect(optionsFor(servers.dropbear, 'ed25519'));
    try {
      const { states, timedOut } = await settleWithin(Array.from({ length: PARALLEL }, (_, i) => conn.exec(`echo ${i}`)), 4_000);
      assert.ok(!timedOut, `every command settled within 4 s: ${states.join(' | ')}`);
      assert.deepEqual(states, states.map(() => 'ok'));
    } finally {
      await conn.close();
    }
  });
});

describe('TinySSH', { skip: !tinysshAvailable && 'needs root, tinysshd and ucspi-tcp' }, () => {
  serverSuite('tinyssh', {
    logins: ['ed25519'],
    banner: /^SSH-2\.0-tinyssh_/,
    oneSessionPerConnection: true,
  });

  it('speaks only Ed25519, curve25519 and chacha20-poly1305 with libssh2', async () => {
    const conn = await connect(optionsFor(servers.tinyssh, 'ed25519'));
    try {
      assert.equal(conn.algorithms.kex, 'curve25519-sha256');
      assert.equal(conn.algorithms.hostKey, 'ssh-ed25519');
      assert.equal(conn.algorithms.cipherClientToServer, 'chacha20-poly1305@openssh.com');
      assert.equal(conn.algorithms.cipherServerToClient, 'chacha20-poly1305@openssh.com');
    } finally {
      await conn.close();
    }
  });

  it('refuses an RSA key with AUTH_FAILED', async () => {
    // a key TinySSH cannot accept: the one made for the OpenSSH fixture
    await assert.rejects(
      connect({ ...optionsFor(servers.tinyssh, 'ed25519'), privateKeyPath: servers.openssh.keys.rsa }),
      (error) => error.code === 'AUTH_FAILED',
    );
  });
});
