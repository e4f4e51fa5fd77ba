// conn.sftp() against the suite's OpenSSH sshd (internal-sftp): each method's round trip in a
// scratch directory, large files both ways with equal sha256, the server's refusals as
// SFTP_FAILED with their status, names with spaces and unicode, several SFTP sessions beside a
// command, argument checks, and the connection closed under a running transfer.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { connect, SshError } from '../../dist/index.js';
import { startRelay } from '../fixtures/relay.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const MiB = 1024 * 1024;

/** An SFTP_FAILED rejection with the status `name` (LIBSSH2_FX_...). */
function sftpFailed(name) {
  return (error) => {
    assert.ok(error instanceof SshError, String(error));
    assert.equal(error.code, 'SFTP_FAILED', error.message);
    assert.equal(error.level, 'sftp');
    assert.equal(error.sftpStatus?.name, name, error.message);
    assert.match(error.message, new RegExp(`^SFTP error: .*\\(${name}, ${error.sftpStatus.number}\\)$`));
    return true;
  };
}

function settingsFailed(field) {
  return (error) => error instanceof SshError && error.code === 'INVALID_SETTINGS' && error.message.startsWith(`Settings error: ${field} `);
}

describe('conn.sftp()', () => {
  let sshd;
  let conn;
  let sftp;
  let remote; // a scratch directory of the remote user
  let local; // a local scratch directory the remote user can read
  const open = () => connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });

  before(async () => {
    sshd = await startSshd();
    conn = await open();
    sftp = await conn.sftp();
    remote = (await conn.exec('mktemp -d')).stdout.trim();
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-sftp-'));
    fs.chmodSync(local, 0o755);
  });
  after(async () => {
    if (remote !== undefined) await conn?.exec(`chmod -R u+rwx '${remote}'; rm -rf '${remote}'`).catch(() => {});
    await sftp?.close();
    await conn?.close();
    await sshd?.stop();
    if (local !== undefined) fs.rmSync(local, { recursive: true, force: true });
  });

  describe('round trips', () => {
    it('realpath: "" and "." are the start directory, absolute', async () => {
      const home = await sftp.realpath('.');
      assert.ok(home.startsWith('/'), home);
      assert.equal(await sftp.realpath(''), home);
      assert.equal(await sftp.realpath(), home);
      assert.equal(await sftp.realpath(`${remote}/./`), remote);
    });
    it('mkdir with a mode, stat and lstat a directory, rmdir', async () => {
      await sftp.mkdir(`${remote}/d`, { mode: 0o700 });
      const stats = await sftp.stat(`${remote}/d`);
      assert.equal(stats.type, 'directory');
      assert.equal(stats.mode & 0o777, 0o700);
      assert.ok(stats.mtime instanceof Date && Math.abs(stats.mtime.getTime() - Date.now()) < 3600e3);
      assert.equal((await sftp.lstat(`${remote}/d`)).type, 'directory');
      await sftp.rmdir(`${remote}/d`);
      assert.equal(await sftp.exists(`${remote}/d`), false);
    });
    it('writeFile then readFile, stat of the file, unlink', async () => {
      await sftp.writeFile(`${remote}/f.txt`, 'hello sftp\n', { mode: 0o600 });
      assert.equal((await sftp.readFile(`${remote}/f.txt`)).toString(), 'hello sftp\n');
      const stats = await sftp.stat(`${remote}/f.txt`);
      assert.deepEqual([stats.type, stats.size, stats.mode & 0o777], ['file', 11, 0o600]);
      assert.equal(typeof stats.uid, 'number');
      await sftp.writeFile(`${remote}/f.txt`, Buffer.from('short'));
      assert.equal((await sftp.readFile(`${remote}/f.txt`)).toString(), 'short', 'writeFile truncates');
      await sftp.writeFile(`${remote}/empty`, new Uint8Array(0));
      assert.equal((await sftp.readFile(`${remote}/empty`)).length, 0);
      await sftp.unlink(`${remote}/f.txt`);
      await sftp.unlink(`${remote}/empty`);
      assert.equal(await sftp.exists(`${remote}/f.txt`), false);
    });
    it('readdir lists names and attributes, without . and ..', async () => {
      await sftp.mkdir(`${remote}/list`);
      await sftp.writeFile(`${remote}/list/a`, 'aaa');
      await sftp.mkdir(`${remote}/list/sub`);
      await conn.exec(`ln -s a '${remote}/list/link'`);
      const entries = await sftp.readdir(`${remote}/list`);
      const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
      assert.deepEqual(Object.keys(byName).sort(), ['a', 'link', 'sub']);
      assert.deepEqual([byName.a.type, byName.a.size], ['file', 3]);
      assert.equal(byName.sub.type, 'directory');
      assert.equal(byName.link.type, 'symlink');
      assert.ok(byName.a.mtime instanceof Date);
      assert.equal((await sftp.lstat(`${remote}/list/link`)).type, 'symlink');
      assert.equal((await sftp.stat(`${remote}/list/link`)).type, 'file');
      assert.deepEqual(await sftp.readdir(`${remote}/list/sub`), []);
    });
    it('rename: an existing target fails unless overwrite, which replaces it', async () => {
      await sftp.writeFile(`${remote}/r1`, 'one');
      await sftp.writeFile(`${remote}/r2`, 'two');
      await assert.rejects(sftp.rename(`${remote}/r1`, `${remote}/r2`), sftpFailed('LIBSSH2_FX_FAILURE'));
      await sftp.rename(`${remote}/r1`, `${remote}/r2`, { overwrite: true });
      assert.equal((await sftp.readFile(`${remote}/r2`)).toString(), 'one');
      assert.equal(await sftp.exists(`${remote}/r1`), false);
      await sftp.rename(`${remote}/r2`, `${remote}/r3`);
      assert.equal(await sftp.exists(`${remote}/r3`), true);
    });
    it('names with spaces and unicode', async () => {
      const dir = `${remote}/dir with spaces ü`;
      const name = 'файл 日本語 é.txt';
      await sftp.mkdir(dir);
      await sftp.writeFile(`${dir}/${name}`, 'ünïcödé');
      assert.deepEqual((await sftp.readdir(dir)).map((e) => e.name), [name]);
      assert.equal((await sftp.readFile(`${dir}/${name}`)).toString(), 'ünïcödé');
      const listed = await conn.exec(`ls '${dir}'`);
      assert.equal(listed.stdout, `${name}\n`);
    });
  });

  describe('large files', () => {
    it('readFile of 64 MiB of random data: sha256 equal to the local copy', async () => {
      const bytes = crypto.randomBytes(64 * MiB);
      const file = path.join(local, 'random.bin');
      fs.writeFileSync(file, bytes);
      fs.chmodSync(file, 0o644);
      const read = await sftp.readFile(file);
      assert.equal(read.length, bytes.length);
      assert.equal(sha256(read), sha256(bytes));
    });
    it('writeFile of 16 MiB: sha256sum on the server is the local one', async () => {
      const bytes = crypto.randomBytes(16 * MiB);
      await sftp.writeFile(`${remote}/up.bin`, bytes);
      const sum = await conn.exec(`sha256sum '${remote}/up.bin'`);
      assert.equal(sum.stdout.split(' ')[0], sha256(bytes));
    });
    it('readFile past maxBytes fails with a Settings error, and the session goes on', async () => {
      await sftp.writeFile(`${remote}/hundred`, Buffer.alloc(100, 1));
      await assert.rejects(sftp.readFile(`${remote}/hundred`, { maxBytes: 10 }), settingsFailed('maxBytes'));
      assert.equal((await sftp.readFile(`${remote}/hundred`, { maxBytes: 100 })).length, 100);
    });
  });

  describe('the server refuses', () => {
    it('stat of a missing path: SFTP_FAILED with the status', async () => {
      await assert.rejects(sftp.stat(`${remote}/missing`), (error) => {
        sftpFailed('LIBSSH2_FX_NO_SUCH_FILE')(error);
        assert.equal(error.sftpStatus.number, 2);
        assert.equal(error.message, `SFTP error: no such file: ${remote}/missing (LIBSSH2_FX_NO_SUCH_FILE, 2)`);
        return true;
      });
      await assert.rejects(sftp.readFile(`${remote}/missing`), sftpFailed('LIBSSH2_FX_NO_SUCH_FILE'));
      await assert.rejects(sftp.readdir(`${remote}/missing`), sftpFailed('LIBSSH2_FX_NO_SUCH_FILE'));
      await assert.rejects(sftp.unlink(`${remote}/missing`), sftpFailed('LIBSSH2_FX_NO_SUCH_FILE'));
    });
    it('mkdir of an existing directory, rmdir of a non-empty one', async () => {
      await sftp.mkdir(`${remote}/full`);
      await sftp.writeFile(`${remote}/full/x`, 'x');
      // OpenSSH speaks SFTP version 3, which says FAILURE for both.
      await assert.rejects(sftp.mkdir(`${remote}/full`), sftpFailed('LIBSSH2_FX_FAILURE'));
      await assert.rejects(sftp.rmdir(`${remote}/full`), sftpFailed('LIBSSH2_FX_FAILURE'));
      assert.equal(await sftp.exists(`${remote}/full/x`), true);
    });
    it('permission denied inside a chmod 000 directory', async () => {
      await sftp.mkdir(`${remote}/locked`);
      await sftp.writeFile(`${remote}/locked/secret`, 's');
      await conn.exec(`chmod 000 '${remote}/locked'`);
      try {
        await assert.rejects(sftp.readdir(`${remote}/locked`), sftpFailed('LIBSSH2_FX_PERMISSION_DENIED'));
        await assert.rejects(sftp.readFile(`${remote}/locked/secret`), sftpFailed('LIBSSH2_FX_PERMISSION_DENIED'));
        await assert.rejects(sftp.writeFile(`${remote}/locked/new`, 'n'), sftpFailed('LIBSSH2_FX_PERMISSION_DENIED'));
        await assert.rejects(sftp.exists(`${remote}/locked/secret`), sftpFailed('LIBSSH2_FX_PERMISSION_DENIED'));
      } finally {
        await conn.exec(`chmod 700 '${remote}/locked'`);
      }
    });
  });

  describe('arguments', () => {
    it('are checked before any network work, naming the argument', async () => {
      await assert.rejects(sftp.stat(42), settingsFailed('path'));
      await assert.rejects(sftp.stat('a\0b'), settingsFailed('path'));
      await assert.rejects(sftp.rename('a', null), settingsFailed('to'));
      await assert.rejects(sftp.mkdir('d', { mode: 0o10000 }), settingsFailed('options.mode'));
      await assert.rejects(sftp.mkdir('d', { recursive: true }), (e) => e.code === 'INVALID_SETTINGS' && /recursive/.test(e.message));
      await assert.rejects(sftp.rename('a', 'b', { overwrite: 'yes' }), settingsFailed('options.overwrite'));
      await assert.rejects(sftp.readFile('f', { maxBytes: 0 }), settingsFailed('options.maxBytes'));
      await assert.rejects(sftp.writeFile('f', 42), settingsFailed('data'));
      await assert.rejects(sftp.readFile('f', 'x'), settingsFailed('options'));
    });
  });

  describe('sessions and the connection', () => {
    it('two SFTP sessions at once on one connection, with a command running meanwhile', async () => {
      const other = await conn.sftp();
      const bytes = crypto.randomBytes(8 * MiB);
      try {
        const [command] = await Promise.all([
          conn.exec('sleep 0.3; echo done'),
          sftp.writeFile(`${remote}/p1`, bytes).then(() => sftp.readFile(`${remote}/p1`)).then((b) => assert.equal(sha256(b), sha256(bytes))),
          other.writeFile(`${remote}/p2`, bytes).then(() => other.readFile(`${remote}/p2`)).then((b) => assert.equal(sha256(b), sha256(bytes))),
          other.readdir(remote),
        ]);
        assert.equal(command.stdout, 'done\n');
      } finally {
        await other.close();
      }
      assert.equal(other.closed, true);
      await assert.rejects(other.stat(remote), (e) => e.code === 'INVALID_STATE');
      assert.equal((await sftp.stat(remote)).type, 'directory', 'the first session is unaffected');
    });
    it('close() waits for the operations called before it', async () => {
      const third = await conn.sftp();
      const write = third.writeFile(`${remote}/before-close`, 'x');
      await third.close();
      await write;
      assert.equal(await sftp.exists(`${remote}/before-close`), true);
    });
    it('a closed connection: conn.sftp() and operations reject with NOT_CONNECTED', async () => {
      const c = await open();
      const s = await c.sftp();
      await c.close();
      await assert.rejects(c.sftp(), (e) => e.code === 'NOT_CONNECTED');
      await assert.rejects(s.stat('.'), (e) => e.code === 'NOT_CONNECTED');
      await s.close();
    });
    it('closing the connection while a readFile runs rejects it with NOT_CONNECTED, no hang', async () => {
      const c = await open();
      const s = await c.sftp();
      // /dev/zero never ends: the read is surely running when the close comes (it would stop at
      // maxBytes, 1 GiB, otherwise).
      const read = s.readFile('/dev/zero', { maxBytes: 1024 * MiB });
      const settled = read.then(() => 'resolved', (error) => error);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await c.close();
      const error = await settled;
      assert.ok(error instanceof SshError, String(error));
      assert.equal(error.code, 'NOT_CONNECTED', error.message);
      assert.equal(error.level, 'channel');
    });
    it('a connection reset under a running readFile rejects it with CONNECTION_LOST', async () => {
      const relay = await startRelay({ port: sshd.port });
      const c = await connect({ host: relay.host, port: relay.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'off' } });
      try {
        const s = await c.sftp();
        const settled = s.readFile('/dev/zero', { maxBytes: 1024 * MiB }).then(() => 'resolved', (error) => error);
        await new Promise((resolve) => setTimeout(resolve, 200));
        relay.resetAll();
        const error = await settled;
        assert.ok(error instanceof SshError, String(error));
        assert.equal(error.code, 'CONNECTION_LOST', error.message);
        await assert.rejects(s.stat('.'), (e) => e.code === 'NOT_CONNECTED');
      } finally {
        await c.close();
        await relay.stop();
      }
    });
    it('MaxSessions 1: an SFTP session waits for a running command, and a command for the session to close', async () => {
      const limited = await startSshd({ config: ['MaxSessions 1'] });
      try {
        const c = await connect({ host: limited.host, port: limited.port, username: limited.user, privateKeyPath: limited.keys.ed25519 });
        try {
          const order = [];
          const command = c.exec('sleep 0.3; echo first').then((r) => order.push(`exec ${r.stdout.trim()}`));
          const s = await c.sftp();
          order.push('sftp');
          await command;
          assert.deepEqual(order, ['exec first', 'sftp']);
          const waiting = c.exec('echo second').then((r) => order.push(`exec ${r.stdout.trim()}`));
          assert.equal((await s.stat('.')).type, 'directory');
          order.push('stat');
          await s.close();
          await waiting;
          assert.deepEqual(order, ['exec first', 'sftp', 'stat', 'exec second']);
        } finally {
          await c.close();
        }
      } finally {
        await limited.stop();
      }
    });
    it('an idle open SFTP session does not make keepalives declare the connection lost', async () => {
      const c = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, keepaliveInterval: 200 });
      try {
        const s = await c.sftp();
        await new Promise((resolve) => setTimeout(resolve, 1200));
        assert.equal(c.closed, false, String(c.closedReason?.message));
        assert.equal((await s.stat('.')).type, 'directory');
        await s.close();
      } finally {
        await c.close();
      }
    });
    it('the connection closed right after a 64 MiB readFile was called: NOT_CONNECTED', async () => {
      const c = await open();
      const s = await c.sftp();
      const read = s.readFile(path.join(local, 'random.bin')).then(() => 'resolved', (error) => error);
      await c.close();
      const error = await read;
      assert.equal(error?.code, 'NOT_CONNECTED', String(error?.message ?? error));
    });
  });
});
