#!/usr/bin/env node
// Packs the package (prepack builds both prebuilds: linux-x64 and the cross-compiled linux-arm64,
// each checked with `file` inside the tarball), then proves the three ways it installs, each in an
// empty directory, each followed by an `ExecuteCommand` through the installed package against a
// local sshd:
//   1. `npm install <tarball>` with gcc/g++/cc/c++/make hidden from PATH (stand-ins that record
//      any call and fail): the prebuild is used, nothing is compiled;
//   2. `npm install --ignore-scripts <tarball>` (npm's allowScripts policy, or a cautious user):
//      the prebuild is found at load time, no install script is needed;
//   3. `npm install --build-from-source <tarball>`: the tarball alone (patches, pinned libssh2
//      digests, sources) builds the addon, and that build is what loads.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSshd } from '../test/fixtures/sshd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-pack-'));
const fail = (message) => { console.error(`pack-check: ${message}`); process.exit(1); };

console.log('pack-check: npm pack (prepack builds dist/, the linux-x64 prebuild and the cross-compiled linux-arm64 one)');
const packed = execFileSync('npm', ['pack', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const tarball = path.join(work, packed.trim().split('\n').pop());
const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
// Both prebuilds, each of its own architecture (as `file` reads the copy inside the tarball).
const unpacked = path.join(work, 'unpacked');
fs.mkdirSync(unpacked);
execFileSync('tar', ['-xzf', tarball, '-C', unpacked, 'package/prebuilds']);
for (const [dir, arch] of [['linux-x64', 'x86-64'], ['linux-arm64', 'ARM aarch64']]) {
  const binary = path.join(unpacked, 'package', 'prebuilds', dir, 'native-ssh.node');
  if (!fs.existsSync(binary)) fail(`the tarball has no prebuilds/${dir}/native-ssh.node`);
  const info = execFileSync('file', ['-b', binary], { encoding: 'utf8' }).trim();
  console.log(`pack-check: prebuilds/${dir}/native-ssh.node: ${info}`);
  if (!info.includes(arch)) fail(`prebuilds/${dir}/native-ssh.node is not an ${arch} binary`);
}
if (/package\/deps\/libssh2\/src/.test(listing)) fail('the tarball must not carry libssh2 sources');
for (const needed of ['package/patches/libssh2/0006-channel-open-two-steps.patch', 'package/deps/libssh2-source.sha256', 'package/scripts/fetch-libssh2.sh', 'package/scripts/debian-apt.sh']) {
  if (!listing.split('\n').includes(needed)) fail(`the tarball lacks ${needed} (a source build needs it)`);
}
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

// 2. No install scripts at all.
const quiet = path.join(work, 'app-ignore-scripts');
fs.mkdirSync(quiet);
fs.writeFileSync(path.join(quiet, 'package.json'), '{"name":"app2","version":"1.0.0","private":true}\n');
console.log('pack-check: npm install --ignore-scripts <tarball>');
const quietInstall = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: quiet, env, encoding: 'utf8' });
if (quietInstall.status !== 0) fail(`npm install --ignore-scripts failed:\n${quietInstall.stdout}\n${quietInstall.stderr}`);

// 3. A source build from the tarball, compilers present.
const built = path.join(work, 'app-build-from-source');
fs.mkdirSync(built);
fs.writeFileSync(path.join(built, 'package.json'), '{"name":"app3","version":"1.0.0","private":true}\n');
console.log('pack-check: npm install --build-from-source <tarball> (compiles libssh2 and the addon)');
const started = Date.now();
const buildInstall = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--build-from-source', tarball], {
  cwd: built, env: { ...process.env, npm_config_build_from_source: 'true' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
if (buildInstall.status !== 0) fail(`npm install --build-from-source failed:\n${buildInstall.stdout.slice(-4000)}\n${buildInstall.stderr.slice(-8000)}`);
const builtAddon = path.join(built, 'node_modules', 'native-ssh', 'build', 'Release', 'native_ssh.node');
if (!fs.existsSync(builtAddon)) fail(`--build-from-source left no ${builtAddon}`);
console.log(`pack-check: built from source in ${((Date.now() - started) / 1000).toFixed(0)} s`);

const sshd = await startSshd();
try {
  const script = `
    const ssh = require('native-ssh');
    const loaded = require('node-gyp-build').path(require('path').dirname(require.resolve('native-ssh/package.json')));
    ssh.ExecuteCommand(ssh.GetConnectionConfiguration(ssh.GetSettingsPrivateKey('127.0.0.1', ${sshd.port}, ${JSON.stringify(sshd.user)}, ${JSON.stringify(sshd.keys.ed25519)})), 'whoami')
      .then((r) => { console.log(JSON.stringify(r)); console.log(JSON.stringify({ ...ssh.versions(), loaded })); process.exit(r.result ? 0 : 1); });`;
  for (const [dir, runEnv, expected] of [[app, env, /prebuilds\/linux-x64\//], [quiet, env, /prebuilds\/linux-x64\//], [built, process.env, /build\/Release\/native_ssh\.node$/]]) {
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, env: runEnv, encoding: 'utf8', timeout: 60_000 });
    process.stdout.write(`pack-check: ${path.basename(dir)}: ${run.stdout}`);
    if (run.status !== 0) fail(`ExecuteCommand through the package installed in ${path.basename(dir)} failed:\n${run.stderr}`);
    if (!run.stdout.includes(`"stdout":"${sshd.user}"`)) fail('unexpected result');
    if (!expected.test(JSON.parse(run.stdout.trim().split('\n').pop()).loaded)) fail(`${path.basename(dir)} loaded the wrong binary`);
  }
} finally {
  await sshd.stop();
}
if (fs.existsSync(marker)) fail('a compiler was called');
fs.rmSync(work, { recursive: true, force: true });
console.log('pack-check: the prebuild installs without compiling (and without install scripts), the tarball builds from source, and ExecuteCommand works with each');
