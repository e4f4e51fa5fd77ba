/**
 * `~/.ssh/config` for a host: {@link resolveSshConfig} reads the OpenSSH client config (and what it
 * includes) and returns the settings that apply to one host, with OpenSSH 9.x's semantics: the
 * first value found for a keyword wins (IdentityFile accumulates), `Host` / `Match` blocks with
 * patterns, `Include` with globs. The keywords native-ssh can honour are applied; others are
 * listed in `ignored`; those whose absence would connect somewhere else (ProxyCommand, Match
 * exec...) are Settings errors naming the file and line. See docs/ssh-config.md.
 *
 * {@link SshConfigResolution} owns one resolution's state (the values set so far, the files read);
 * it runs on the JS thread, reading files with `readBounded` (lib/files.ts).
 * @packageDocumentation
 */
import fs = require('node:fs');
import net = require('node:net');
import os = require('node:os');
import path = require('node:path');

import { settingsError, shown, SshError } from './errors';
import { readBounded, type ReadCancel } from './files';
import { expandPath, expandTokens, type Tokens } from './ssh-config-expand';
import { includePaths } from './ssh-config-include';
import { hostLineMatches, type MatchContext, matchLineMatches } from './ssh-config-patterns';
import { type Fail, parseCount, parseFlag, parsePort, parseProxyJump, parseTime, splitLine, type SshConfigHop } from './ssh-config-syntax';

export type { SshConfigHop } from './ssh-config-syntax';

/** The largest config file read (each file, included ones too). */
export const MAX_SSH_CONFIG_BYTES = 1024 * 1024;
/** Include nesting, as OpenSSH's READCONF_MAX_DEPTH. */
export const MAX_SSH_CONFIG_DEPTH = 16;
/** Files read in one resolution (includes of includes multiply). */
export const MAX_SSH_CONFIG_FILES = 256;
/** IdentityFile lines that apply, as OpenSSH's SSH_MAX_IDENTITY_FILES. */
const MAX_IDENTITY_FILES = 100;

/** Options of {@link resolveSshConfig}. */
export interface SshConfigOptions {
  /** The config file (as `ssh -F`); default `~/.ssh/config` (missing: no settings), then `systemFile`. */
  file?: string;
  /** The user given explicitly (`ssh -l`): config `User` does not replace it; `Match user` and `%r` see it. */
  user?: string;
  /** The port given explicitly (`ssh -p`): config `Port` does not replace it. */
  port?: number;
  /** For `~`, `%d` and relative `Include`s; default `os.homedir()`. */
  homeDir?: string;
  /** For `%u` and the default user; default `os.userInfo().username`. */
  localUser?: string;
  /** Read after `~/.ssh/config` when `file` is not given, as ssh does; default `/etc/ssh/ssh_config`; false: none. */
  systemFile?: string | false;
  /** Environment for `${NAME}` in IdentityFile / UserKnownHostsFile; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Set `cancelled` to stop reading (the connect timeout ran out): the result is then empty. */
  cancel?: ReadCancel;
}

/** A line of a config file. */
export interface SshConfigLocation {
  file: string;
  /** 1-based. */
  line: number;
}

/** A keyword that applied to the host but that native-ssh does not use. */
export interface SshConfigIgnored extends SshConfigLocation {
  /** As written, e.g. `ForwardAgent`. */
  keyword: string;
}

/** The settings that apply to one host. Absent fields: the config does not set them. */
export interface ResolvedSshConfig {
  /** The host as given (an alias, for instance). */
  host: string;
  /** Where to connect: `HostName` with `%h` expanded, else the host; lower case unless an IP address. */
  hostname: string;
  /** The explicit user, else `User`, else the local user name. */
  user: string;
  /** The explicit port, else `Port`, else 22. */
  port: number;
  /** Every `IdentityFile` that applies, in order, `~`, `%` tokens and `${NAME}` expanded; [] when none (ssh would try its defaults). */
  identityFiles: string[];
  /** `IdentitiesOnly`. */
  identitiesOnly?: boolean;
  /** `ProxyJump` hops, first hop first; [] when unset or `none`. Each hop is a host to look up in the config too. */
  proxyJump: SshConfigHop[];
  /** The line that set {@link proxyJump}, when it names hops (for messages about it). */
  proxyJumpAt?: SshConfigLocation;
  /** The first `UserKnownHostsFile`, expanded; `none` gives `/dev/null`. */
  userKnownHostsFile?: string;
  /** `StrictHostKeyChecking` as a native-ssh policy: yes and ask -> strict, accept-new, no and off -> accept-new. */
  strictHostKeyChecking?: 'strict' | 'accept-new';
  /** `ServerAliveInterval` in ms; 0: off. */
  serverAliveIntervalMs?: number;
  /** `ServerAliveCountMax`. */
  serverAliveCountMax?: number;
  /** `ConnectTimeout` in ms (0 and `none`, no bound in OpenSSH, are left unset). */
  connectTimeoutMs?: number;
  /** Keywords that applied but are not used, in file order. */
  ignored: SshConfigIgnored[];
  /** The files read, in order. */
  files: string[];
}

/** A value with the line that set it (for messages about it later). */
interface Located<T> {
  value: T;
  file: string;
  line: number;
}

/** How one file is read. */
interface FileContext {
  /** A user file (relative includes under ~/.ssh) or the system file (under /etc/ssh). */
  userConfig: boolean;
  /** Blocks never apply: the file was included from a block that does not apply. */
  neverMatch: boolean;
  depth: number;
  /** The include chain, for cycles. */
  stack: string[];
}

const STRICT_VALUES: Record<string, 'strict' | 'accept-new'> = {
  yes: 'strict',
  true: 'strict',
  ask: 'strict',
  'accept-new': 'accept-new',
  no: 'accept-new',
  off: 'accept-new',
  false: 'accept-new',
};

/** Error for a line: `Settings error: sshConfig "<file>" line <n>: <problem>`. */
function lineFailure(file: string, line: number): Fail {
  return (problem: string): never => {
    throw settingsError('sshConfig', `${JSON.stringify(file)} line ${line}: ${problem}`);
  };
}

/** Error for a whole file (cannot be read, bad permissions). */
function fileFailure(file: string, problem: string): never {
  throw settingsError('sshConfig', `${JSON.stringify(file)}: ${problem}`);
}

/** Owns one resolution: the values set so far (first wins) and the files read. */
class SshConfigResolution {
  private hostname?: Located<string>;
  private user?: Located<string>;
  private port?: Located<number>;
  private readonly identityFiles: Array<Located<string>> = [];
  private identitiesOnly?: boolean;
  private proxyJump?: Located<SshConfigHop[] | 'none'>;
  private proxyCommandNone = false;
  private knownHosts?: Located<string>;
  private strict?: 'strict' | 'accept-new';
  private aliveInterval?: Located<number>;
  private aliveCount?: number;
  private connectTimeout?: Located<number>;
  private canonicalizeSet = false;
  private readonly ignored: SshConfigIgnored[] = [];
  private readonly files: string[] = [];
  private readonly home: string;
  private readonly localUser: string;
  private readonly cancel: ReadCancel;

  constructor(
    private readonly host: string,
    private readonly options: SshConfigOptions,
  ) {
    this.home = options.homeDir ?? os.homedir();
    this.localUser = options.localUser ?? localUserName();
    this.cancel = options.cancel ?? { cancelled: false };
    if (options.user !== undefined) this.user = { value: options.user, file: '', line: 0 };
    if (options.port !== undefined) this.port = { value: options.port, file: '', line: 0 };
  }

  /** Reads the files as ssh does: `-F file`, or `~/.ssh/config` then the system file. */
  async run(): Promise<ResolvedSshConfig> {
    const top = { neverMatch: false, depth: 0, stack: [] };
    if (this.options.file !== undefined) {
      await this.readFile(path.resolve(this.options.file), { ...top, userConfig: true }, { checkPermissions: false, optional: false });
    } else {
      await this.readFile(path.join(this.home, '.ssh', 'config'), { ...top, userConfig: true }, { checkPermissions: true, optional: true });
      const system = this.options.systemFile ?? '/etc/ssh/ssh_config';
      if (system !== false) await this.readFile(system, { ...top, userConfig: false }, { checkPermissions: false, optional: true });
    }
    return this.result();
  }

  /**
   * Reads one file and its lines. `includedAt`: the Include line that named it, which errors about
   * the file (unreadable, too deep, a cycle) then name.
   */
  private async readFile(file: string, context: FileContext, how: { checkPermissions: boolean; optional: boolean }, includedAt?: Fail): Promise<void> {
    const failFile = (problem: string): never => (includedAt ? includedAt(`Include: ${JSON.stringify(file)} ${problem}`) : fileFailure(file, problem));
    if (this.cancel.cancelled) return;
    if (context.depth > MAX_SSH_CONFIG_DEPTH) failFile(`is included more than ${MAX_SSH_CONFIG_DEPTH} levels deep (${chain([...context.stack, file])})`);
    if (context.stack.includes(file)) failFile(`includes itself (${chain([...context.stack, file])})`);
    if (this.files.length >= MAX_SSH_CONFIG_FILES)
      failFile(`is one file too many: at most ${MAX_SSH_CONFIG_FILES} files are read for one host (check the Include lines)`);
    if (how.optional && !(await present(file))) return;
    if (how.checkPermissions) await checkPermissions(file, failFile);
    let bytes: Buffer;
    try {
      bytes = await readBounded(file, {
        limit: MAX_SSH_CONFIG_BYTES,
        field: 'sshConfig',
        expected: 'an OpenSSH client config file',
        noun: 'config file',
        cancel: this.cancel,
        instead: 'name a config file',
        emptyWhenAbsent: how.optional,
      });
    } catch (error) {
      // readBounded's message names the file; an included one also gets the Include line.
      if (includedAt === undefined || !(error instanceof SshError)) throw error;
      return includedAt(`Include: ${error.message.replace(/^Settings error: sshConfig /, '')}`);
    }
    if (this.cancel.cancelled) return;
    this.files.push(file);
    const inner: FileContext = { ...context, stack: [...context.stack, file] };
    // Lines before the first Host / Match apply when the including block applies (always at the top).
    const state = { active: !context.neverMatch };
    // A UTF-8 byte order mark (some Windows editors write one) would hide the first keyword.
    const lines = bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\n');
    for (let i = 0; i < lines.length; i++) {
      await this.readLine(lines[i], file, i + 1, inner, state);
      if (this.cancel.cancelled) return;
    }
  }

  private async readLine(text: string, file: string, line: number, context: FileContext, state: { active: boolean }): Promise<void> {
    const fail = lineFailure(file, line);
    const parsed = splitLine(text, fail);
    if (parsed === undefined) return;
    const { keyword, key, rest, args } = parsed;
    const active = state.active;
    const at = { file, line };
    const single = (): string => {
      if (args.length === 0 || args[0] === '') fail(`${keyword} has no value`);
      if (args.length > 1)
        fail(`${keyword} takes one value (got ${args.length}: ${args.map((a) => JSON.stringify(a)).join(' ')}; quote a value that has spaces)`);
      return args[0];
    };
    // As OpenSSH, a value is checked wherever it is, and set when its block applies and nothing set it before.
    switch (key) {
      case 'host':
        state.active = hostLineMatches(this.host, args, fail) && !context.neverMatch;
        return;
      case 'match':
        state.active = matchLineMatches(args, this.matchContext(), fail, context.neverMatch) && !context.neverMatch;
        return;
      case 'include':
        for (const arg of args) {
          for (const included of await includePaths(arg, { userConfig: context.userConfig, home: this.home, systemDir: '/etc/ssh' }, fail)) {
            const nested: FileContext = { ...context, depth: context.depth + 1, neverMatch: context.neverMatch || !active };
            await this.readFile(included, nested, { checkPermissions: true, optional: true }, fail);
            // A Host or Match inside the included file does not change this file's block.
            state.active = active;
          }
        }
        return;
      case 'hostname': {
        const value = single();
        if (active && this.hostname === undefined) this.hostname = { value, ...at };
        return;
      }
      case 'user': {
        const value = single();
        if (active && this.user === undefined) this.user = { value, ...at };
        return;
      }
      case 'port': {
        const value = parsePort(single(), fail);
        if (active && this.port === undefined) this.port = { value, ...at };
        return;
      }
      case 'identityfile': {
        const value = single();
        if (!active || this.identityFiles.some((set) => set.value === value)) return;
        if (this.identityFiles.length >= MAX_IDENTITY_FILES) fail(`IdentityFile: more than ${MAX_IDENTITY_FILES} identity files apply`);
        this.identityFiles.push({ value, ...at });
        return;
      }
      case 'identitiesonly': {
        const value = parseFlag(keyword, single(), fail);
        if (active) this.identitiesOnly ??= value;
        return;
      }
      case 'proxyjump': {
        const value = parseProxyJump(rest, fail);
        if (active && this.proxyJump === undefined && !this.proxyCommandNone) this.proxyJump = { value, ...at };
        return;
      }
      case 'proxycommand':
        // ProxyJump and ProxyCommand compete: the first one set wins.
        if (!active || this.proxyJump !== undefined || this.proxyCommandNone) return;
        if (args.length === 1 && args[0] === 'none') {
          this.proxyCommandNone = true;
          return;
        }
        return fail(
          'ProxyCommand is not supported: native-ssh does not run local commands to reach a host (use ProxyJump, the proxy option for SOCKS / HTTP, or "ProxyCommand none")',
        );
      case 'userknownhostsfile': {
        if (args.length === 0) fail(`${keyword} has no value`);
        for (const arg of args) {
          if (arg === '') fail(`${keyword} has an empty path`);
          if (arg.toLowerCase() === 'none' && args.length > 1) fail(`${keyword} none must stand alone`);
        }
        if (active && this.knownHosts === undefined) this.knownHosts = { value: args[0], ...at };
        return;
      }
      case 'stricthostkeychecking': {
        const value = STRICT_VALUES[single().toLowerCase()];
        if (value === undefined) fail(`${keyword} ${JSON.stringify(args[0])} is not a policy (expected yes, accept-new, no, off or ask)`);
        if (active) this.strict ??= value;
        return;
      }
      case 'serveraliveinterval': {
        const value = parseTime(keyword, single(), fail);
        if (active && this.aliveInterval === undefined && value >= 0) this.aliveInterval = { value, ...at };
        return;
      }
      case 'serveralivecountmax': {
        const value = parseCount(keyword, single(), fail);
        if (active) this.aliveCount ??= value;
        return;
      }
      case 'connecttimeout': {
        const value = parseTime(keyword, single(), fail);
        if (active && this.connectTimeout === undefined && value >= 0) this.connectTimeout = { value, ...at };
        return;
      }
      case 'canonicalizehostname': {
        const value = single().toLowerCase();
        if (!['yes', 'no', 'true', 'false', 'always'].includes(value)) fail(`${keyword} ${JSON.stringify(args[0])} is not valid (expected no, yes or always)`);
        if (!active || this.canonicalizeSet) return;
        this.canonicalizeSet = true;
        if (value !== 'no' && value !== 'false') {
          fail(`CanonicalizeHostname ${args[0]} is not supported: it rewrites the host name through DNS and reads the config again (expected no)`);
        }
        return;
      }
      default:
        if (active) this.ignored.push({ keyword, file, line });
    }
  }

  /** What Match criteria see now: HostName so far (`%h` expanded), the user so far. */
  private matchContext(): MatchContext {
    const host =
      this.hostname === undefined
        ? this.host
        : expandTokens('HostName', this.hostname.value, { h: this.host }, lineFailure(this.hostname.file, this.hostname.line));
    return { host, originalHost: this.host, user: this.user?.value ?? this.localUser };
  }

  private result(): ResolvedSshConfig {
    const lower = (name: string): string => (net.isIP(name) === 0 ? name.toLowerCase() : name);
    if (this.cancel.cancelled) {
      const { user = this.localUser, port = 22 } = this.options;
      return { host: this.host, hostname: lower(this.host), user, port, identityFiles: [], proxyJump: [], ignored: [], files: [] };
    }
    const env = this.options.env ?? process.env;
    const hostname = lower(
      this.hostname === undefined
        ? this.host
        : expandTokens('HostName', this.hostname.value, { h: this.host }, lineFailure(this.hostname.file, this.hostname.line)),
    );
    const port = this.port?.value ?? 22;
    // A User from the config takes tokens (not %r, itself) and ${NAME}, as OpenSSH 10 expands it
    // (9.x takes it literally). An explicit user is taken as it is.
    let user = this.localUser;
    if (this.user !== undefined) {
      const { value, file, line } = this.user;
      user =
        file === ''
          ? value
          : expandTokens('User', value, { d: this.home, h: hostname, n: this.host, p: String(port), u: this.localUser }, lineFailure(file, line), env);
    }
    const resolved: ResolvedSshConfig = { host: this.host, hostname, user, port, identityFiles: [], proxyJump: [], ignored: this.ignored, files: this.files };
    const tokens: Tokens = { d: this.home, h: hostname, n: this.host, p: String(port), r: user, u: this.localUser };
    resolved.identityFiles = this.identityFiles.map((set) => expandPath('IdentityFile', set.value, this.home, tokens, lineFailure(set.file, set.line), env));
    if (this.identitiesOnly !== undefined) resolved.identitiesOnly = this.identitiesOnly;
    if (this.proxyJump !== undefined && Array.isArray(this.proxyJump.value)) {
      const { value, file, line } = this.proxyJump;
      resolved.proxyJump = value;
      resolved.proxyJumpAt = { file, line };
    }
    if (this.knownHosts !== undefined) {
      const { value, file, line } = this.knownHosts;
      resolved.userKnownHostsFile =
        value.toLowerCase() === 'none' ? '/dev/null' : expandPath('UserKnownHostsFile', value, this.home, tokens, lineFailure(file, line), env);
    }
    if (this.strict !== undefined) resolved.strictHostKeyChecking = this.strict;
    if (this.aliveInterval !== undefined) resolved.serverAliveIntervalMs = toMs('ServerAliveInterval', this.aliveInterval);
    if (this.aliveCount !== undefined) resolved.serverAliveCountMax = this.aliveCount;
    if (this.connectTimeout !== undefined && this.connectTimeout.value > 0) resolved.connectTimeoutMs = toMs('ConnectTimeout', this.connectTimeout);
    return resolved;
  }
}

/** Seconds -> ms, within what native-ssh's timers take (2^31-1 ms). */
function toMs(keyword: string, set: Located<number>): number {
  const ms = set.value * 1000;
  if (ms > 2 ** 31 - 1) lineFailure(set.file, set.line)(`${keyword} ${set.value} is too long (at most ${Math.floor((2 ** 31 - 1) / 1000)} seconds)`);
  return ms;
}

/** `"a" -> "b" -> "c"`, for include chains. */
function chain(files: string[]): string {
  return files.map((f) => JSON.stringify(f)).join(' -> ');
}

/** Whether a path names anything (an optional file that is absent is no file). */
async function present(file: string): Promise<boolean> {
  try {
    await fs.promises.stat(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? '';
  }
}

/**
 * As OpenSSH requires of `~/.ssh/config` and included files: owned by this user or root, and
 * not writable by group or others (anyone who can write it can send the connection elsewhere).
 * A missing file passes (it is no file).
 */
async function checkPermissions(file: string, fail: Fail): Promise<void> {
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(file);
  } catch {
    return;
  }
  if (!stats.isFile()) return;
  const uid = process.getuid?.();
  if ((uid !== undefined && stats.uid !== 0 && stats.uid !== uid) || (stats.mode & 0o022) !== 0) {
    fail(
      `has bad owner or permissions (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${stats.uid}): it must be owned by you or root and not writable by group or others, as ssh requires (chmod go-w)`,
    );
  }
}

const OPTION_KEYS = ['file', 'user', 'port', 'homeDir', 'localUser', 'systemFile', 'env', 'cancel'];

/**
 * The OpenSSH client settings for `host` (an alias or a host name). Reads `options.file`, or
 * `~/.ssh/config` then `/etc/ssh/ssh_config`, with what they include. Fails with a Settings error
 * (field `sshConfig`, the file and line) for a malformed line, a setting native-ssh cannot honour
 * (ProxyCommand, Match exec / canonical / final / localuser / localnetwork / tagged,
 * CanonicalizeHostname yes), an unreadable or oversized file, an include cycle or a depth past 16.
 */
export async function resolveSshConfig(host: string, options: SshConfigOptions = {}): Promise<ResolvedSshConfig> {
  if (typeof host !== 'string' || host === '' || host.includes('\0')) {
    throw settingsError('host', `must be a non-empty string to look up in the ssh config (got ${shown(host)})`);
  }
  if (typeof options !== 'object' || options === null) throw settingsError('sshConfig', `options must be an object (got ${shown(options)})`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw settingsError(`sshConfig ${key}`, `is not an option of resolveSshConfig (expected ${OPTION_KEYS.join(', ')})`);
  }
  if (options.systemFile !== undefined && options.systemFile !== false && (typeof options.systemFile !== 'string' || options.systemFile === '')) {
    throw settingsError('sshConfig systemFile', `must be a path or false (got ${shown(options.systemFile)})`);
  }
  for (const key of ['file', 'user', 'homeDir', 'localUser'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.includes('\0'))) {
      throw settingsError(key === 'file' ? 'sshConfig' : `sshConfig ${key}`, `must be a non-empty string (got ${shown(value)})`);
    }
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
    throw settingsError('port', `must be an integer from 1 to 65535 (got ${shown(options.port)})`);
  }
  return new SshConfigResolution(host, options).run();
}
