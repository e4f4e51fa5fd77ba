// OPI's SFTP functions against the suite's OpenSSH sshd (internal-sftp): each function's result
// shape on a Connection, configuration mode with close_connection (on success and on failure),
// OPI's error texts with our code and the SFTP status, recursion in ListObjects, SaveFile leaving
// an existing local file as it was when the remote path is missing, UpdatePath with overwrite,
// and the `sftp` namespace export.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import * as nssh from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

const {
  CreateConnection,
  CloseConnection,
  CreateNewDirectory,
  DeleteDirectory,
  DeleteFile,
  GetConnectionConfiguration,
  GetCurrentDirectory,
  GetFileData,
  GetFileInformation,
  GetSettingsPrivateKey,
  ListObjects,
  SaveFile,
  UpdatePath,
  UploadFile,
} = nssh;

const FILE_INFO_KEYS = ['accessed', 'extension', 'gid', 'is_directory', 'is_symlink', 'modified', 'name', 'path', 'permissions', 'size', 'uid'];

/** An OPI failure with `error` and the SFTP status `status` (code SFTP_FAILED). */
function sftpFailure(result, error, status) {
  assert.equal(result.result, false, JSON.stringify(result));
  assert.equal(result.error, error);
  assert.equal(result.code, 'SFTP_FAILED');
  assert.equal(result.sftp_status, status);
}

describe('OPI SFTP functions', () => {
  let sshd;
  let conn;
  let config;
  let remote; // a scratch directory of the remote user
  let local; // a local scratch directory

  before(async () => {
    sshd = await startSshd();
    config = GetConnectionConfiguration(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519));
    conn = await CreateConnection(config.set);
    assert.ok(nssh.IsConnector(conn), JSON.stringify(conn));
    remote = (await conn.exec('mktemp -d')).stdout.trim();
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-opi-sftp-'));
  });
  after(async () => {
    if (remote !== undefined) await conn?.exec(`rm -rf '${remote}'`).catch(() => {});
    if (nssh.IsConnector(conn)) await CloseConnection(conn);
    await sshd?.stop();
    if (local !== undefined) fs.rmSync(local, { recursive: true, force: true });
  });

  it('exports every function from the root and from the sftp namespace', () => {
    for (const name of ['ListObjects', 'CreateNewDirectory', 'DeleteDirectory', 'GetCurrentDirectory', 'UploadFile', 'DeleteFile', 'SaveFile', 'GetFileData', 'GetFileInformation', 'UpdatePath']) {
      assert.equal(typeof nssh[name], 'function', name);
      assert.equal(nssh.sftp[name], nssh[name], name);
    }
    assert.equal(nssh.sftp.CreateConnection, nssh.CreateConnection);
    assert.equal(nssh.sftp.GetConnectionConfiguration, nssh.GetConnectionConfiguration);
  });

  it('GetCurrentDirectory: REALPATH "."', async () => {
    const home = (await conn.exec('pwd')).stdout.trim();
    assert.deepEqual(await GetCurrentDirectory(conn), { result: true, path: home });
    assert.deepEqual(await GetCurrentDirectory(config), { result: true, path: home, close_connection: { result: true } });
  });

  it('CreateNewDirectory with OPI permissions, GetFileInformation, DeleteDirectory', async () => {
    assert.deepEqual(await CreateNewDirectory(conn, `${remote}/d`), { result: true });
    assert.deepEqual(await CreateNewDirectory(conn, `${remote}/e`, '0755'), { result: true });
    const info = await GetFileInformation(conn, `${remote}/d`);
    assert.equal(info.result, true, JSON.stringify(info));
    assert.deepEqual(Object.keys(info.data).sort(), FILE_INFO_KEYS);
    assert.equal(info.data.permissions, '40700');
    assert.equal(info.data.is_directory, true);
    assert.equal(info.data.name, 'd');
    assert.equal(info.data.path, `${remote}/d`);
    assert.equal((await GetFileInformation(conn, `${remote}/e`)).data.permissions, '40755');
    assert.deepEqual(await DeleteDirectory(conn, `${remote}/d`), { result: true });
    assert.deepEqual(await DeleteDirectory(config, `${remote}/e`), { result: true, close_connection: { result: true } });
    sftpFailure(await GetFileInformation(conn, `${remote}/d`), '[SFTP(2)] no such file', 2);
  });

  it('CreateNewDirectory: permissions with 8 or 9 are a Settings error', async () => {
    const result = await CreateNewDirectory(conn, `${remote}/bad`, 789);
    assert.equal(result.result, false);
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.match(result.error, /^Settings error: permissions /);
  });

  it('UploadFile from a Buffer and a local path, GetFileData, GetFileInformation of a file, DeleteFile', async () => {
    assert.deepEqual(await UploadFile(conn, Buffer.from('hello opi\n'), `${remote}/a.txt`), { result: true, bytes: 10 });
    const source = path.join(local, 'source.bin');
    fs.writeFileSync(source, Buffer.alloc(100_000, 7));
    assert.deepEqual(await UploadFile(config, source, `${remote}/b.bin`), { result: true, bytes: 100_000, close_connection: { result: true } });
    assert.equal((await GetFileData(conn, `${remote}/a.txt`)).toString(), 'hello opi\n');
    const data = await GetFileData(config, `${remote}/b.bin`);
    assert.ok(Buffer.isBuffer(data));
    assert.ok(data.equals(fs.readFileSync(source)));
    const info = await GetFileInformation(conn, `${remote}/a.txt`);
    assert.equal(info.data.size, 10);
    assert.equal(info.data.extension, 'txt');
    assert.equal(info.data.is_symlink, false);
    assert.match(info.data.permissions, /^100[0-7]{3}$/);
    assert.ok(Math.abs(info.data.modified - Date.now() / 1000) < 3600);
    assert.deepEqual(await DeleteFile(conn, `${remote}/a.txt`), { result: true });
    sftpFailure(await DeleteFile(conn, `${remote}/a.txt`), '[SFTP(2)] no such file', 2);
    assert.deepEqual(await DeleteFile(config, `${remote}/b.bin`), { result: true, close_connection: { result: true } });
  });

  it('UploadFile: a missing local file is a File error; a missing remote directory a remote access error', async () => {
    const missing = await UploadFile(conn, path.join(local, 'nope'), `${remote}/x`);
    assert.equal(missing.result, false);
    assert.match(missing.error, /^File error: ENOENT/);
    sftpFailure(await UploadFile(conn, Buffer.from('x'), `${remote}/no/x`), 'Remote file access error: [SFTP(2)] no such file', 2);
    // A sparse local file past the in-memory bound (1 GiB) is refused before it is read.
    const huge = path.join(local, 'huge.bin');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 1024 ** 3 + 1);
    try {
      const tooLarge = await UploadFile(conn, huge, `${remote}/huge.bin`);
      assert.equal(tooLarge.result, false);
      assert.equal(tooLarge.code, 'INVALID_SETTINGS');
      assert.match(tooLarge.error, /^Settings error: file is 1073741825 bytes; .* at most 1073741824 bytes/);
    } finally {
      fs.rmSync(huge);
    }
  });

  it('GetFileData of a missing file: the error map, with close_connection in configuration mode', async () => {
    sftpFailure(await GetFileData(conn, `${remote}/missing`), 'Remote file access error: [SFTP(2)] no such file', 2);
    const result = await GetFileData(config, `${remote}/missing`);
    sftpFailure(result, 'Remote file access error: [SFTP(2)] no such file', 2);
    assert.deepEqual(result.close_connection, { result: true });
  });

  it('SaveFile writes the local file; a missing remote path leaves an existing local file untouched', async () => {
    await UploadFile(conn, Buffer.from('remote text'), `${remote}/s.txt`);
    const target = path.join(local, 'saved.txt');
    assert.deepEqual(await SaveFile(conn, `${remote}/s.txt`, target), { result: true, bytes: 11, filepath: target });
    assert.equal(fs.readFileSync(target, 'utf8'), 'remote text');
    fs.writeFileSync(target, 'keep me');
    const result = await SaveFile(config, `${remote}/missing`, target);
    sftpFailure(result, 'Remote file access error: [SFTP(2)] no such file', 2);
    assert.deepEqual(result.close_connection, { result: true });
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep me');
    assert.deepEqual(fs.readdirSync(local).sort(), ['saved.txt', 'source.bin']);
    fs.chmodSync(target, 0o600);
    assert.equal((await SaveFile(conn, `${remote}/s.txt`, target)).result, true);
    assert.equal(fs.readFileSync(target, 'utf8'), 'remote text');
    assert.equal(fs.statSync(target).mode & 0o777, 0o600);
    const nowhere = path.join(local, 'no-dir', 'x.txt');
    const bad = await SaveFile(conn, `${remote}/s.txt`, nowhere);
    assert.equal(bad.result, false);
    assert.equal(bad.code, 'INVALID_SETTINGS');
    assert.equal(bad.error, `File error: ENOENT: no such file or directory, open '${nowhere}'`);
  });

  it('ListObjects: shapes, "" as ".", recursion with objects, symlinks not followed, errors', async () => {
    await CreateNewDirectory(conn, `${remote}/tree`);
    await CreateNewDirectory(conn, `${remote}/tree/sub`);
    await CreateNewDirectory(conn, `${remote}/tree/sub/deep`);
    await UploadFile(conn, Buffer.from('1'), `${remote}/tree/one.txt`);
    await UploadFile(conn, Buffer.from('22'), `${remote}/tree/sub/two.md`);
    await conn.exec(`ln -s sub '${remote}/tree/link'`);

    const flat = await ListObjects(conn, `${remote}/tree`);
    assert.equal(flat.result, true, JSON.stringify(flat));
    const byName = Object.fromEntries(flat.data.map((entry) => [entry.name, entry]));
    assert.deepEqual(Object.keys(byName).sort(), ['link', 'one.txt', 'sub']);
    for (const entry of flat.data) assert.deepEqual(Object.keys(entry).sort(), FILE_INFO_KEYS);
    assert.equal(byName.sub.path, `${remote}/tree/sub`);
    assert.equal(byName.sub.is_directory, true);
    assert.equal(byName.link.is_symlink, true);
    assert.equal(byName.link.is_directory, false);
    assert.equal(byName.link.permissions, '120777');
    assert.equal(byName['one.txt'].size, 1);

    const deep = await ListObjects(config, `${remote}/tree/`, true);
    assert.deepEqual(deep.close_connection, { result: true });
    const sub = deep.data.find((entry) => entry.name === 'sub');
    assert.equal(sub.path, `${remote}/tree/sub`);
    assert.deepEqual(sub.objects.map((entry) => entry.name).sort(), ['deep', 'two.md']);
    const two = sub.objects.find((entry) => entry.name === 'two.md');
    assert.equal(two.path, `${remote}/tree/sub/two.md`);
    assert.equal('objects' in two, false);
    assert.deepEqual(sub.objects.find((entry) => entry.name === 'deep').objects, []);
    assert.equal('objects' in deep.data.find((entry) => entry.name === 'link'), false);

    const home = await ListObjects(conn);
    assert.equal(home.result, true, JSON.stringify(home));
    assert.ok(home.data.every((entry) => entry.path === entry.name));

    sftpFailure(await ListObjects(conn, `${remote}/missing`), '[SFTP(2)] no such file', 2);
  });

  it('DeleteDirectory of a non-empty directory: [SFTP(4)] failure', async () => {
    await CreateNewDirectory(conn, `${remote}/full`);
    await UploadFile(conn, Buffer.from('x'), `${remote}/full/x`);
    sftpFailure(await DeleteDirectory(conn, `${remote}/full`), '[SFTP(4)] failure', 4);
    const missing = await DeleteDirectory(config, `${remote}/nothing`);
    sftpFailure(missing, '[SFTP(2)] no such file', 2);
    assert.deepEqual(missing.close_connection, { result: true });
  });

  it('UpdatePath: moves, refuses an existing target, overwrites it when told', async () => {
    await UploadFile(conn, Buffer.from('first'), `${remote}/u1`);
    await UploadFile(conn, Buffer.from('second'), `${remote}/u2`);
    assert.deepEqual(await UpdatePath(conn, `${remote}/u1`, `${remote}/m1`), { result: true });
    sftpFailure(await GetFileInformation(conn, `${remote}/u1`), '[SFTP(2)] no such file', 2);
    sftpFailure(await UpdatePath(conn, `${remote}/m1`, `${remote}/u2`), '[SFTP(4)] failure', 4);
    assert.equal((await GetFileData(conn, `${remote}/u2`)).toString(), 'second');
    assert.deepEqual(await UpdatePath(config, `${remote}/m1`, `${remote}/u2`, true), { result: true, close_connection: { result: true } });
    assert.equal((await GetFileData(conn, `${remote}/u2`)).toString(), 'first');
    sftpFailure(await UpdatePath(conn, `${remote}/gone`, `${remote}/x`, 'true'), '[SFTP(2)] no such file', 2);
  });

  it('a bad configuration or a closed connection resolves to a failure', async () => {
    const bad = await ListObjects({ nope: 1 }, '.');
    assert.equal(bad.result, false);
    assert.equal(bad.code, 'INVALID_SETTINGS');
    assert.equal('close_connection' in bad, false);
    const other = await CreateConnection(config.set);
    await CloseConnection(other);
    const closed = await GetCurrentDirectory(other);
    assert.equal(closed.result, false);
    assert.equal(closed.code, 'NOT_CONNECTED');
  });
});
