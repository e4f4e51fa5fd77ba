// A binary that cannot load (here: OpenSSL 3 shadowed by a broken libcrypto.so.3 / libssl.so.3 on
// LD_LIBRARY_PATH) makes the package throw one error naming the cause and the fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';

it('without a usable libcrypto.so.3 / libssl.so.3, requiring the package throws the documented message', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-nossl-'));
  try {
    for (const name of ['libcrypto.so.3', 'libssl.so.3']) fs.writeFileSync(path.join(dir, name), 'not a library');
    const script = `try { require(${JSON.stringify(path.resolve('dist/index.js'))}).versions(); console.log('LOADED'); } catch (e) { console.log(e.message); }`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: dir } });
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /LOADED/);
    assert.match(run.stdout, /^native-ssh: cannot load .*native.*\.node\./m);
    assert.match(run.stdout, /libcrypto\.so\.3/);
    assert.match(run.stdout, /native-ssh needs OpenSSL 3 \(libssl\.so\.3, libcrypto\.so\.3\)/);
    assert.match(run.stdout, /apt-get install libssl3/);
    assert.match(run.stdout, /dnf install openssl-libs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
