/**
 * Which blocks of an ssh_config file apply: `Host` patterns and `Match` criteria, with OpenSSH
 * 9.x's semantics (match.c `match_pattern`, `match_pattern_list`; readconf.c `case oHost`,
 * `match_cfg_line`). Pure functions, called on the JS thread.
 *
 * `Match` criteria that cannot be evaluated here (`exec` runs a local command, `localnetwork`
 * reads the interfaces, `canonical` / `final` need DNS canonicalisation passes, `tagged`,
 * `localuser`, `version`, `sessiontype`, `command`) fail the line unless the line's other criteria
 * already rule the block out: then OpenSSH's answer does not depend on them either.
 * @packageDocumentation
 */
import type { Fail } from './ssh-config-syntax';

/**
 * The wildcard walk both matchers use (Host patterns here, Include globs in ssh-config-include.ts):
 * item `p` of the pattern is a `*` (`isStar`) or takes one character (`takes(p, t)`). Greedy with
 * one backtrack point: linear in practice, no regular expression built from config text.
 */
export function wildcardMatch(textLength: number, patternLength: number, isStar: (p: number) => boolean, takes: (p: number, t: number) => boolean): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < textLength) {
    if (p < patternLength && !isStar(p) && takes(p, t)) {
      t++;
      p++;
    } else if (p < patternLength && isStar(p)) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < patternLength && isStar(p)) p++;
  return p === patternLength;
}

/** OpenSSH's `match_pattern`: `*` matches any run of characters (none too), `?` exactly one; case-sensitive. */
export function matchPattern(text: string, pattern: string): boolean {
  return wildcardMatch(
    text.length,
    pattern.length,
    (p) => pattern[p] === '*',
    (p, t) => pattern[p] === '?' || pattern[p] === text[t],
  );
}

/**
 * OpenSSH's `match_pattern_list`: a comma-separated list, `!pattern` negates. 1: a positive
 * pattern matched and no negated one; -1: a negated pattern matched; 0: nothing matched.
 * `lower`: the patterns are compared in lower case (host names; the caller lowers the text).
 */
export function matchPatternList(text: string, list: string, lower: boolean): 1 | 0 | -1 {
  let positive = false;
  for (const item of list.split(',')) {
    const negated = item.startsWith('!');
    let pattern = negated ? item.slice(1) : item;
    if (lower) pattern = pattern.toLowerCase();
    if (matchPattern(text, pattern)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/**
 * A `Host` line: applies when one of its patterns matches the host as given (case-sensitive, as
 * OpenSSH compares it) and none of its `!negated` patterns does. Each argument is one pattern:
 * commas are not separators here (OpenSSH reads `Host a,b` as one pattern).
 */
export function hostLineMatches(host: string, patterns: string[], fail: Fail): boolean {
  let active = false;
  for (const arg of patterns) {
    if (arg === '') fail('Host has an empty pattern');
    const negated = arg.startsWith('!');
    if (matchPattern(host, negated ? arg.slice(1) : arg)) {
      if (negated) return false;
      active = true;
    }
  }
  return active;
}

/** What `Match` criteria are compared with. */
export interface MatchContext {
  /** `host`: HostName as set so far (`%h` expanded), else the host as given. */
  host: string;
  /** `originalhost`: the host as given. */
  originalHost: string;
  /** `user`: the remote user as set so far (explicit, or User), else the local user. */
  user: string;
}

/** Criteria OpenSSH has that are not evaluated here, and why (for the error). */
const UNSUPPORTED: Record<string, string> = {
  exec: 'runs a local command',
  canonical: 'needs DNS canonicalisation (CanonicalizeHostname)',
  final: 'asks for a second pass after DNS canonicalisation',
  localuser: 'is not evaluated by native-ssh',
  localnetwork: 'depends on the local network interfaces',
  tagged: 'depends on Tag, which native-ssh does not set',
  version: 'compares the OpenSSH version',
  sessiontype: 'depends on the ssh session type',
  command: 'depends on the ssh command line',
};

const SUPPORTED = 'host, originalhost, user or all';

/**
 * A `Match` line: true when every criterion holds. `Match all` alone (or after `canonical` /
 * `final`) always applies. A criterion that cannot be evaluated fails the line only when the
 * outcome depends on it; `final` always fails (OpenSSH would run the whole file again).
 * `parseOnly` (a block that cannot apply, in a file included from one that does not): only the
 * syntax is checked.
 */
export function matchLineMatches(args: string[], context: MatchContext, fail: Fail, parseOnly = false): boolean {
  if (args.length === 0) fail(`Match has no criteria (expected ${SUPPORTED})`);
  let result = true;
  let unsupported: string | undefined;
  let attributes = 0;
  for (let i = 0; i < args.length; i++) {
    const written = args[i];
    const negate = written.startsWith('!');
    const name = (negate ? written.slice(1) : written).toLowerCase();
    if (name === 'all') {
      if (attributes > 1 || i + 1 < args.length) fail(`Match ${written} cannot be combined with other criteria (expected "Match all" alone)`);
      if (unsupported === undefined) return result && !negate;
      break;
    }
    attributes++;
    if (name === 'final') fail(`Match final is not supported: it ${UNSUPPORTED.final} (expected ${SUPPORTED})`);
    if (name === 'canonical') {
      unsupported ??= written;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value === '') fail(`Match ${written} has no value (expected "Match ${written} <pattern-list>")`);
    let matched: boolean;
    if (name === 'host') matched = matchPatternList(context.host.toLowerCase(), value, true) === 1;
    else if (name === 'originalhost') matched = matchPatternList(context.originalHost.toLowerCase(), value, true) === 1;
    else if (name === 'user') matched = matchPatternList(context.user, value, false) === 1;
    else if (name in UNSUPPORTED) {
      unsupported ??= written;
      continue;
    } else {
      return fail(`Match ${written} is not a Match criterion (expected ${SUPPORTED})`);
    }
    if (matched === negate) result = false;
  }
  if (!result || parseOnly) return false;
  if (unsupported !== undefined) {
    const name = (unsupported.startsWith('!') ? unsupported.slice(1) : unsupported).toLowerCase();
    fail(`Match ${unsupported} is not supported: it ${UNSUPPORTED[name]}, and this block's other criteria do not rule it out (expected ${SUPPORTED})`);
  }
  return result;
}
