/**
 * Where an ssh_config `Include` argument points, as OpenSSH 9.x finds it (readconf.c
 * `case oInclude`, glob(3) with GLOB_TILDE): a relative path is under `~/.ssh/` for the user's
 * files and under `/etc/ssh/` for the system file; `~` is the home directory (the system file may
 * not use it); `*`, `?` and `[...]` match within one path component, and not a leading dot. The
 * matches come sorted; a pattern that matches nothing is no file, not an error.
 *
 * Called on the JS thread; reads directories only (the files are read by the resolver).
 * @packageDocumentation
 */
import fs = require('node:fs');
import path = require('node:path');

import { expandTilde } from './ssh-config-expand';
import type { Fail } from './ssh-config-syntax';
import { wildcardMatch } from './ssh-config-patterns';

/** Where relative and `~` paths of one config file lead. */
export interface IncludeBase {
  /** The user's files (`~/.ssh/config`, `-F` files and what they include) or the system file. */
  userConfig: boolean;
  home: string;
  /** The system file's directory, for its relative includes (`/etc/ssh`). */
  systemDir: string;
}

type GlobToken = { kind: 'star' } | { kind: 'one' } | { kind: 'char'; char: string } | { kind: 'set'; negate: boolean; ranges: Array<[string, string]> };

const MAGIC = /[*?[]/;

/** One path component's pattern as tokens; `\x` is a literal x, an unclosed `[` is literal. */
function tokenize(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) tokens.push({ kind: 'char', char: pattern[++i] });
    else if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else if (c === '[') {
      let j = i + 1;
      const negate = pattern[j] === '!' || pattern[j] === '^';
      if (negate) j++;
      const ranges: Array<[string, string]> = [];
      // A `]` right after `[` or `[!` is a member.
      for (let first = true; j < pattern.length && (first || pattern[j] !== ']'); first = false) {
        const low = pattern[j];
        if (pattern[j + 1] === '-' && j + 2 < pattern.length && pattern[j + 2] !== ']') {
          ranges.push([low, pattern[j + 2]]);
          j += 3;
        } else {
          ranges.push([low, low]);
          j++;
        }
      }
      if (j >= pattern.length) tokens.push({ kind: 'char', char: c });
      else {
        tokens.push({ kind: 'set', negate, ranges });
        i = j;
      }
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

function tokenMatches(token: GlobToken, c: string): boolean {
  if (token.kind === 'one') return true;
  if (token.kind === 'char') return token.char === c;
  if (token.kind === 'set') return token.ranges.some(([low, high]) => c >= low && c <= high) !== token.negate;
  return false;
}

/** fnmatch(3) of one component (greedy `*` with one backtrack point); a leading dot only matches a literal dot. */
export function globComponentMatches(name: string, pattern: string): boolean {
  const tokens = tokenize(pattern);
  if (name.startsWith('.') && !(tokens[0]?.kind === 'char' && tokens[0].char === '.')) return false;
  return wildcardMatch(
    name.length,
    tokens.length,
    (p) => tokens[p].kind === 'star',
    (p, t) => tokenMatches(tokens[p], name[t]),
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.stat(file);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(file)).isDirectory();
  } catch {
    return false;
  }
}

/** Paths that match an absolute pattern, sorted; none when nothing matches (or a directory cannot be read). */
export async function globPaths(pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter((part, i) => part !== '' || i === 0);
  let found = [parts[0] === '' ? '/' : parts[0]];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of found) {
      if (!MAGIC.test(part)) {
        next.push(path.join(dir, part.replace(/\\(.)/g, '$1')));
        continue;
      }
      let names: string[];
      try {
        names = await fs.promises.readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!globComponentMatches(name, part)) continue;
        const full = path.join(dir, name);
        if (last || (await isDirectory(full))) next.push(full);
      }
    }
    found = next;
  }
  const matched: string[] = [];
  for (const file of found) if (await exists(file)) matched.push(file);
  // glob(3) sorts the whole paths (byte order in the C locale).
  return matched.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The files one `Include` argument names (none when its pattern matches nothing). */
export async function includePaths(arg: string, base: IncludeBase, fail: Fail): Promise<string[]> {
  if (arg === '') fail('Include has an empty path');
  let pattern: string;
  if (arg.startsWith('~')) {
    if (!base.userConfig)
      fail(`Include ${JSON.stringify(arg)}: ~ is not allowed in the system-wide file (expected an absolute path or one relative to ${base.systemDir})`);
    pattern = expandTilde('Include', arg, base.home, fail);
  } else if (path.isAbsolute(arg)) {
    pattern = arg;
  } else {
    pattern = base.userConfig ? path.join(base.home, '.ssh', arg) : path.join(base.systemDir, arg);
  }
  return globPaths(pattern);
}
