// The public types: test/types/api.ts must compile against dist/*.d.ts (with its expected errors).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { it } from 'node:test';

const require = createRequire(import.meta.url);

it('the declarations in dist/ type-check the documented usage, and reject misuse', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
