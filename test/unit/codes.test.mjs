// One contract between TypeScript and C++: native/core/codes.h holds the error codes, levels and
// shared defaults; lib/codes.ts is generated from it and must match; neither side writes a code
// as a bare literal elsewhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEFAULTS, ERROR_CODES, ERROR_LEVELS } from '../../dist/codes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const filesUnder = (dir, ext) => fs.readdirSync(path.join(root, dir), { recursive: true })
  .filter((f) => ext.some((e) => f.endsWith(e))).map((f) => path.join(dir, f));

it('lib/codes.ts is what scripts/gen-codes.mjs makes of native/core/codes.h', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'gen-codes.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(ERROR_CODES.includes('CONNECTION_LOST') && ERROR_LEVELS.includes('host-key'));
  assert.equal(DEFAULTS.connectTimeoutMs, 30000);
});

it('every error code TypeScript sets is one of codes.h', () => {
  const unknown = [];
  for (const file of filesUnder('lib', ['.ts'])) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    // (A warning's code, for process.emitWarning, is not an error code.)
    for (const [, code] of text.replace(/emitWarning\([^;]*;/g, '').matchAll(/code: '([A-Z][A-Z_]+)'/g)) {
      if (!ERROR_CODES.includes(code)) unknown.push(`${file}: ${code}`);
    }
  }
  assert.deepEqual(unknown, []);
});

it('the C++ code names codes and levels through codes.h only', () => {
  const bare = [];
  const levels = new RegExp(`(MakeError|LastSshError)\\([^;]*"(${ERROR_LEVELS.join('|')})"`);
  for (const file of filesUnder('native', ['.cc', '.h'])) {
    if (file.endsWith('codes.h') || file.includes('fuzz') || file.includes(`native${path.sep}test`)) continue;
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const code of ERROR_CODES) if (text.includes(`"${code}"`)) bare.push(`${file}: "${code}"`);
    if (levels.test(text.replaceAll('\n', ' '))) bare.push(`${file}: a level as a literal`);
  }
  assert.deepEqual(bare, []);
});
