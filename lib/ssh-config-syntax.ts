/**
 * The syntax of an OpenSSH client config file (ssh_config(5)) as OpenSSH 9.x reads it: how a line
 * splits into a keyword and arguments (readconf.c `process_config_line_depth`, misc.c
 * `argv_split`), and the value forms of the keywords {@link resolveSshConfig} applies: ports,
 * times (`convtime`), flags, and ProxyJump's `[user@]host[:port]` / `ssh://` hops.
 *
 * Pure functions on strings, called on the JS thread. A malformed value calls `fail` with what is
 * wrong and what was expected; the caller adds the file and line.
 * @packageDocumentation
 */

/** Raises the error for the line being read (never returns). */
export type Fail = (problem: string) => never;

/** One directive line, split. */
export interface ConfigLine {
  /** The keyword as written (for the `ignored` list and messages). */
  keyword: string;
  /** The keyword in lower case (keywords are case-insensitive). */
  key: string;
  /** The text after the keyword and its separator, as written: ProxyJump and ProxyCommand read it whole. */
  rest: string;
  /** `rest` split into arguments: quotes removed, `\` escapes applied, a `#` argument ends the line. */
  args: string[];
}

const SPACE = ' \t\r\n';

/**
 * Splits one line; undefined for a blank or comment line. The keyword ends at white space or `=`
 * (`Port=22`, `Port = 22` and `Port 22` are the same); a keyword without arguments fails.
 */
export function splitLine(text: string, fail: Fail): ConfigLine | undefined {
  let end = text.length;
  while (end > 0 && `${SPACE}\f`.includes(text[end - 1])) end--;
  let i = 0;
  while (i < end && SPACE.includes(text[i])) i++;
  const start = i;
  while (i < end && !SPACE.includes(text[i]) && text[i] !== '=') i++;
  const keyword = text.slice(start, i);
  if (keyword === '' || keyword.startsWith('#')) return undefined;
  // One `=` may stand between keyword and value, with white space on either side.
  while (i < end && SPACE.includes(text[i])) i++;
  if (text[i] === '=') {
    i++;
    while (i < end && SPACE.includes(text[i])) i++;
  }
  const rest = text.slice(i, end);
  if (rest === '') fail(`${keyword} has no value (expected "${keyword} <value>")`);
  return { keyword, key: keyword.toLowerCase(), rest, args: splitArguments(rest, fail) };
}

/**
 * OpenSSH's `argv_split` with comments: white space separates arguments except inside `"..."` or
 * `'...'`; `\"`, `\'`, `\\` and (outside quotes) `\ ` stand for the character; an argument that
 * starts with `#` ends the line. An unclosed quote fails.
 */
export function splitArguments(text: string, fail: Fail): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++;
      continue;
    }
    if (text[i] === '#') break;
    let arg = '';
    let quote = '';
    for (; i < text.length; i++) {
      const c = text[i];
      const next = text[i + 1];
      if (c === '\\' && (next === '"' || next === "'" || next === '\\' || (quote === '' && next === ' '))) {
        arg += next;
        i++;
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (quote !== '' && c === quote) {
        quote = '';
      } else {
        arg += c;
      }
    }
    if (quote !== '') fail(`has an unclosed ${quote} quote`);
    args.push(arg);
  }
  return args;
}

/** A port as OpenSSH's `a2port` takes it, numbers only: 1..65535. */
export function parsePort(text: string, fail: Fail, what = 'Port'): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    fail(`${what} ${JSON.stringify(text)} is not a port (expected a number from 1 to 65535; service names are not looked up)`);
  }
  return Number(text);
}

const TIME_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const INT_MAX = 2 ** 31 - 1;

/**
 * A time as OpenSSH's `convtime` reads it, in seconds: `30`, `90s`, `1m30s`, `1h`, `2d`, `1w`
 * (units in either case); `none` is -1 (not set).
 */
export function parseTime(keyword: string, text: string, fail: Fail): number {
  if (text === 'none') return -1;
  const parts = /^(?:[0-9]+[smhdwSMHDW]?)+$/.test(text) ? (text.match(/[0-9]+[smhdwSMHDW]?/g) ?? []) : [];
  if (parts.length === 0) fail(`${keyword} ${JSON.stringify(text)} is not a time (expected seconds, or a time such as 90s, 5m, 1h30m)`);
  let total = 0;
  for (const part of parts) {
    const unit = /[a-z]$/i.test(part) ? part.slice(-1).toLowerCase() : '';
    total += Number(unit === '' ? part : part.slice(0, -1)) * TIME_UNITS[unit];
    if (total > INT_MAX) fail(`${keyword} ${JSON.stringify(text)} is too long (at most ${INT_MAX} seconds)`);
  }
  return total;
}

/** A yes/no keyword (`yes`, `no`, `true`, `false`, any case). */
export function parseFlag(keyword: string, text: string, fail: Fail): boolean {
  const value = text.toLowerCase();
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  return fail(`${keyword} ${JSON.stringify(text)} is not a flag (expected yes or no)`);
}

/** A non-negative integer (ServerAliveCountMax). */
export function parseCount(keyword: string, text: string, fail: Fail): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > INT_MAX) fail(`${keyword} ${JSON.stringify(text)} is not a count (expected an integer from 0 to ${INT_MAX})`);
  return Number(text);
}

/** One ProxyJump hop. */
export interface SshConfigHop {
  /** The hop's user; absent: the hop's own (its config's User, or the local user). */
  user?: string;
  /** The hop's host as written (brackets of an IPv6 address removed): itself looked up in the config. */
  host: string;
  /** The hop's port; absent: the hop's own (its config's Port, or 22). */
  port?: number;
}

/**
 * A ProxyJump value: `none`, or a comma-separated list of `[user@]host[:port]` or
 * `ssh://[user@]host[:port]` hops, in the order they are passed through. Like OpenSSH, a `#`
 * starts a comment and white space inside the list is an error.
 */
export function parseProxyJump(text: string, fail: Fail): SshConfigHop[] | 'none' {
  const hash = text.indexOf('#');
  const value = (hash < 0 ? text : text.slice(0, hash)).replace(/[ \t]+$/, '');
  if (value.toLowerCase() === 'none') return 'none';
  const bad = (detail: string): never =>
    fail(
      `ProxyJump ${JSON.stringify(value)} is not valid: ${detail} (expected none or a comma-separated list of [user@]host[:port] or ssh://[user@]host[:port])`,
    );
  return value.split(',').map((hop) => parseHop(hop, bad));
}

function parseHop(text: string, bad: (detail: string) => never): SshConfigHop {
  if (text === '') bad('an empty hop');
  if (/[ \t]/.test(text)) bad(`white space in ${JSON.stringify(text)}`);
  const uri = text.startsWith('ssh://');
  let rest = uri ? text.slice('ssh://'.length) : text;
  const hop: Partial<SshConfigHop> = {};
  // ssh:// takes the user up to the first @ (URL-encoded, `;params` dropped), the plain form up to the last.
  const at = uri ? rest.indexOf('@') : rest.lastIndexOf('@');
  if (at >= 0) {
    let user = rest.slice(0, at);
    if (uri) {
      user = user.split(';')[0];
      try {
        user = decodeURIComponent(user);
      } catch {
        bad(`the user of ${JSON.stringify(text)} is not URL-encoded`);
      }
    }
    if (user === '') bad(`an empty user in ${JSON.stringify(text)}`);
    hop.user = user;
    rest = rest.slice(at + 1);
  }
  let host: string;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) bad(`no closing ] in ${JSON.stringify(text)}`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) bad(`${JSON.stringify(after)} after the address in ${JSON.stringify(text)}`);
    if (after !== '') port = after.slice(1);
  } else {
    const colon = rest.search(/[:/]/);
    if (colon >= 0 && rest[colon] === '/') bad(`a path in ${JSON.stringify(text)}`);
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) port = rest.slice(colon + 1);
  }
  if (host === '') bad(`no host in ${JSON.stringify(text)}`);
  if (uri && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host)) bad(`${JSON.stringify(host)} is not a host name`);
  hop.host = host;
  if (port !== undefined && port !== '') hop.port = parsePort(port, (problem) => bad(problem), 'the port');
  return hop as SshConfigHop;
}
