#!/usr/bin/env node
// Proves the drop-in install: `npm pack` (which builds dist/ and the prebuild), then in an empty
// directory, with gcc/g++/cc/c++/make hidden from PATH (stand-ins that record any call and fail),
// `npm install <tarball>` must compile nothing, and `ExecuteCommand` through the installed
// package must work against a local sshd.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSshd } from '../test/fixtures/sshd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-pack-'));
const fail = (message) => { console.error(`pack-check: ${message}`); process.exit(1); };

console.log('pack-check: npm pack (builds dist/ and the linux-x64 prebuild)');
const packed = execFileSync('npm', ['pack', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const tarball = path.join(work, packed.trim().split('\n').pop());
const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
if (!/package\/prebuilds\/linux-x64\/[^/]+\.node/.test(listing)) fail('the tarball has no linux-x64 prebuild');
if (/package\/deps\/libssh2\/src/.test(listing)) fail('the tarball must not carry libssh2 sources');
console.log(`pack-check: ${path.basename(tarball)} (${(fs.statSync(tarball).size / 1024).toFixed(0)} KiB)`);

const hidden = path.join(work, 'no-compilers');
const marker = path.join(work, 'compiler-called');
fs.mkdirSync(hidden);
for (const tool of ['gcc', 'g++', 'cc', 'c++', 'make', 'clang', 'clang++']) {
  fs.writeFileSync(path.join(hidden, tool), `#!/bin/sh\necho "$0 $*" >> ${marker}\necho "${tool} is hidden by pack-check" >&2\nexit 1\n`, { mode: 0o755 });
}
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
const env = { ...process.env, PATH: `${hidden}:${process.env.PATH}`, npm_config_build_from_source: '' };
console.log('pack-check: npm install <tarball> with compilers hidden');
const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, encoding: 'utf8' });
if (install.status !== 0) fail(`npm install failed:\n${install.stdout}\n${install.stderr}`);
if (fs.existsSync(marker)) fail(`a compiler was called:\n${fs.readFileSync(marker, 'utf8')}`);

const sshd = await startSshd();
try {
  const script = `
    const ssh = require('native-ssh');
    ssh.ExecuteCommand(ssh.GetConnectionConfiguration(ssh.GetSettingsPrivateKey('127.0.0.1', ${sshd.port}, ${JSON.stringify(sshd.user)}, ${JSON.stringify(sshd.keys.ed25519)})), 'whoami')
      .then((r) => { console.log(JSON.stringify(r)); console.log(JSON.stringify(ssh.versions())); process.exit(r.result ? 0 : 1); });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: app, env, encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(run.stdout);
  if (run.status !== 0) fail(`ExecuteCommand through the installed package failed:\n${run.stderr}`);
  if (!run.stdout.includes(`"stdout":"${sshd.user}"`)) fail('unexpected result');
} finally {
  await sshd.stop();
}
if (fs.existsSync(marker)) fail('a compiler was called');
fs.rmSync(work, { recursive: true, force: true });
console.log('pack-check: installed without compiling, and ExecuteCommand works');
