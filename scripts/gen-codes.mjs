#!/usr/bin/env node
// Generates lib/codes.ts from native/core/codes.h, the single source of the error codes, levels
// and defaults shared by the engine and TypeScript. `--check`: exit 1 (and say what differs)
// when lib/codes.ts is not what this would write. Run by test/unit/codes.test.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const header = fs.readFileSync(path.join(root, 'native', 'core', 'codes.h'), 'utf8');
const target = path.join(root, 'lib', 'codes.ts');

const sections = { 'error codes': [], 'error levels': [], defaults: [] };
let section;
for (const line of header.split('\n')) {
  const heading = /^\/\/ -- ([a-z ]+) -+$/.exec(line);
  if (heading) {
    section = sections[heading[1]];
    if (section === undefined) throw new Error(`gen-codes: unknown section "${heading[1]}" in codes.h`);
    continue;
  }
  const text = /^inline constexpr char k(\w+)\[\] = "([^"]*)";/.exec(line);
  const number = /^inline constexpr uint32_t k(\w+) = (\d+);/.exec(line);
  if ((text || number) && section === undefined) throw new Error(`gen-codes: a constant before any section: ${line}`);
  if (text) section.push({ name: text[1], value: JSON.stringify(text[2]).replaceAll('"', "'") });
  else if (number) section.push({ name: number[1], value: number[2] });
}
const camel = (name) => name[0].toLowerCase() + name.slice(1);
const list = (entries) => entries.map((e) => `  ${e.value},`).join('\n');
const output = `// Generated from native/core/codes.h by scripts/gen-codes.mjs: do not edit (run the script).
/**
 * The contract with the engine, written once in native/core/codes.h: error codes, levels and
 * shared defaults.
 * @packageDocumentation
 */

/** Every {@link SshErrorCode}, in codes.h's order. */
export const ERROR_CODES = [
${list(sections['error codes'])}
] as const;

/** Stable error codes. Programs test these, never message texts. */
export type SshErrorCode = (typeof ERROR_CODES)[number];

/** Every {@link SshErrorLevel}. */
export const ERROR_LEVELS = [
${list(sections['error levels'])}
] as const;

/** Where in the life of a connection a failure happened. */
export type SshErrorLevel = (typeof ERROR_LEVELS)[number];

/** Defaults the engine and TypeScript share. */
export const DEFAULTS = {
${sections.defaults.map((e) => `  ${camel(e.name)}: ${e.value},`).join('\n')}
} as const;
`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== output) {
    console.error('gen-codes: lib/codes.ts differs from what native/core/codes.h gives; run: node scripts/gen-codes.mjs');
    process.exit(1);
  }
  console.log(`gen-codes: lib/codes.ts matches codes.h (${sections['error codes'].length} codes, ${sections['error levels'].length} levels, ${sections.defaults.length} defaults)`);
} else {
  fs.writeFileSync(target, output);
  console.log('gen-codes: wrote lib/codes.ts');
}
