#!/usr/bin/env node
// The symbol floor of the Linux binaries: the highest GLIBC_ and GLIBCXX_ symbol versions they
// need must be at most 2.34 and 3.4.30, so the prebuild loads on every glibc Linux that ships
// OpenSSL 3 (Debian 12, Ubuntu 22.04, RHEL 9). Usage: node scripts/check-symbols.mjs [file.node ...]
// (default: every prebuild and build/Release/native_ssh.node). x86-64 and aarch64 binaries (the
// linux-arm64 prebuild, cross-compiled) are read with the objdump of their own architecture.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const FLOORS = { GLIBC: '2.34', GLIBCXX: '3.4.30' };

function compare(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return 0;
}

// The objdump that reads a binary of each ELF machine (e_machine): the host's for x86-64, the
// cross binutils (binutils-aarch64-linux-gnu) for aarch64.
const OBJDUMP = { 62: 'objdump', 183: 'aarch64-linux-gnu-objdump' };

function objdumpFor(file) {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 20, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1', 0, 4) !== '\x7fELF') throw new Error(`check-symbols: ${file} is not an ELF file`);
  const machine = header.readUInt16LE(18);
  const tool = OBJDUMP[machine];
  if (tool === undefined) throw new Error(`check-symbols: ${file}: no objdump known for ELF machine ${machine}`);
  return tool;
}

function binaries() {
  const found = [];
  if (fs.existsSync('prebuilds')) {
    for (const dir of fs.readdirSync('prebuilds')) {
      if (!dir.startsWith('linux-')) continue;
      for (const file of fs.readdirSync(path.join('prebuilds', dir))) {
        if (file.endsWith('.node')) found.push(path.join('prebuilds', dir, file));
      }
    }
  }
  if (fs.existsSync('build/Release/native_ssh.node')) found.push('build/Release/native_ssh.node');
  return found;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : binaries();
if (files.length === 0) {
  console.error('check-symbols: no binary to check (build or prebuild first)');
  process.exit(1);
}
let ok = true;
for (const file of files) {
  const dump = execFileSync(objdumpFor(file), ['-T', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const highest = {};
  for (const match of dump.matchAll(/\b(GLIBCXX|GLIBC)_(\d+(?:\.\d+)+)\b/g)) {
    const [, family, version] = match;
    if (highest[family] === undefined || compare(version, highest[family]) > 0) highest[family] = version;
  }
  const parts = [];
  for (const [family, floor] of Object.entries(FLOORS)) {
    const version = highest[family];
    const pass = version === undefined || compare(version, floor) <= 0;
    ok &&= pass;
    parts.push(`${family} ${version ?? 'none'} (floor ${floor}) ${pass ? 'ok' : 'TOO NEW'}`);
  }
  console.log(`check-symbols: ${file}: ${parts.join(', ')}`);
}
process.exit(ok ? 0 : 1);
