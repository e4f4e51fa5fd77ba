/**
 * Unknown keys in option and settings structures are Settings errors, with a "did you mean" for
 * typos (edit distance), for the other API's spelling (`connect_timeout` / `connectTimeout`), and
 * for the names of ssh2 and node-ssh, so a program ported from them learns our name (or that the
 * option has no equivalent) instead of having it silently ignored.
 * @packageDocumentation
 */
import { type SshError, settingsError } from './errors';

/** What an unknown name means: the name to use instead, and/or a note. */
interface Hint {
  use?: string;
  note?: string;
}

/** One structure whose keys are checked. */
export interface KeySpec {
  /** Path of the structure in messages, e.g. `hostKey` (empty for the top level). */
  path: string;
  /** `option` (idiomatic client) or `field` (OPI structures). */
  noun: 'option' | 'field';
  names: readonly string[];
  hints?: Readonly<Record<string, Hint>>;
}

const notSupported = (what: string, instead?: string): Hint => ({ note: `${what} is not supported${instead ? `: ${instead}` : ''}` });

/** The idiomatic client's `connect` options. */
export const CONNECT_KEYS: KeySpec = {
  path: '',
  noun: 'option',
  names: [
    'host',
    'port',
    'username',
    'password',
    'privateKey',
    'privateKeyPath',
    'publicKey',
    'passphrase',
    'agent',
    'keyboard',
    'proxy',
    'connectTimeout',
    'keepaliveInterval',
    'commandTimeout',
    'algorithms',
    'hostKey',
    'debug',
    'sshConfig',
  ],
  hints: {
    readyTimeout: { use: 'connectTimeout', note: "ssh2's readyTimeout is connectTimeout here" },
    timeout: { use: 'connectTimeout', note: 'the connect bound is connectTimeout (ms); a bound on commands is commandTimeout' },
    hostVerifier: { use: 'hostKey.verify', note: "ssh2's hostVerifier is hostKey.verify here; hostKey.fingerprint pins a key" },
    hostHash: { use: 'hostKey.fingerprint', note: "ssh2's hostHash is not needed: hostKey.verify gets the SHA256 fingerprint, hostKey.fingerprint pins one" },
    keepaliveCountMax: notSupported("ssh2's keepaliveCountMax", 'a server silent for three keepaliveInterval periods is declared lost'),
    tryKeyboard: { note: 'not needed: a password login answers keyboard-interactive prompts with the password; keyboard: [...] gives other answers' },
    onKeyboardInteractive: { use: 'keyboard', note: 'keyboard: [...] lists the answers, used in order' },
    authHandler: notSupported("ssh2's authHandler", 'give exactly one of password, privateKey, privateKeyPath, agent, keyboard'),
    agentForward: notSupported('agent forwarding'),
    sock: notSupported("ssh2's sock", 'for a SOCKS or HTTP proxy give proxy: {type, host, port}'),
    localAddress: notSupported('choosing the local address'),
    localPort: notSupported('choosing the local port'),
    localHostname: notSupported('host-based authentication'),
    localUsername: notSupported('host-based authentication'),
    forceIPv4: notSupported("ssh2's forceIPv4", 'give an IPv4 address as host'),
    forceIPv6: notSupported("ssh2's forceIPv6", 'give an IPv6 address as host'),
    ident: notSupported('a custom identification string'),
    strictVendor: notSupported("ssh2's strictVendor"),
    compress: notSupported('compression'),
    user: { use: 'username' },
    hostname: { use: 'host' },
    key: { use: 'privateKey', note: 'privateKey takes key text, privateKeyPath a file path' },
    identityFile: { use: 'privateKeyPath' },
    knownHosts: { use: 'hostKey.knownHosts' },
    fingerprint: { use: 'hostKey.fingerprint' },
    strictHostKeyChecking: { use: 'hostKey.policy' },
    key_path: { use: 'privateKeyPath', note: 'privateKey takes key text' },
    pub_path: { use: 'publicKey' },
    keyboard_responses: { use: 'keyboard' },
    known_hosts: { use: 'hostKey.knownHosts' },
    host_key_policy: { use: 'hostKey.policy' },
    host_key_fingerprint: { use: 'hostKey.fingerprint' },
    auth_type: { note: 'not needed here: the login follows from which of password, privateKey, privateKeyPath, agent, keyboard is given' },
    connect_timeout: { use: 'connectTimeout', note: 'in milliseconds here, not seconds' },
    command_timeout: { use: 'commandTimeout', note: 'in milliseconds here, not seconds' },
    keepalive_interval: { use: 'keepaliveInterval', note: 'in milliseconds here, not seconds' },
    kex_algorithms: { use: 'algorithms.kex' },
    ciphers: { use: 'algorithms.cipher' },
    macs: { use: 'algorithms.mac' },
    host_key_algorithms: { use: 'algorithms.hostKey' },
  },
};

/** `connect`'s `proxy`. */
export const PROXY_KEYS: KeySpec = {
  path: 'proxy',
  noun: 'option',
  names: ['type', 'host', 'port', 'login', 'password'],
  hints: { server: { use: 'host' }, proxy_type: { use: 'type' }, username: { use: 'login' }, user: { use: 'login' } },
};

/** `connect`'s `hostKey`. */
export const HOST_KEY_KEYS: KeySpec = {
  path: 'hostKey',
  noun: 'option',
  names: ['policy', 'knownHosts', 'fingerprint', 'verify', 'hashKnownHosts'],
  hints: { hostVerifier: { use: 'verify' }, verifier: { use: 'verify' }, hostHash: { use: 'fingerprint' }, hash: { use: 'hashKnownHosts' } },
};

/** `connect`'s `algorithms`. */
export const ALGORITHM_KEYS: KeySpec = {
  path: 'algorithms',
  noun: 'option',
  names: ['kex', 'cipher', 'mac', 'hostKey'],
  hints: {
    serverHostKey: { use: 'hostKey', note: "ssh2's serverHostKey is hostKey here" },
    hmac: { use: 'mac', note: "ssh2's hmac is mac here" },
    compress: notSupported('compression'),
  },
};

/** Options of `exec` and `stream`. */
export const EXEC_KEYS: KeySpec = {
  path: '',
  noun: 'option',
  names: ['stdin', 'encoding', 'timeout', 'signal', 'env', 'pty', 'maxBuffer'],
  hints: {
    abortSignal: { use: 'signal' },
    cwd: notSupported('cwd', 'start the command with cd <dir> &&'),
    x11: notSupported('X11 forwarding'),
    onStdout: { note: 'use conn.stream(command) to get output as it arrives' },
    onStderr: { note: 'use conn.stream(command) to get output as it arrives' },
    stream: { note: 'use conn.stream(command) to get output as it arrives' },
    execOptions: { note: "node-ssh's execOptions are given directly here (env, pty)" },
  },
};

/** `exec`'s `pty`. */
export const PTY_KEYS: KeySpec = {
  path: 'pty',
  noun: 'option',
  names: ['term', 'cols', 'rows'],
  hints: {
    columns: { use: 'cols' },
    width: notSupported('a size in pixels', 'cols and rows are in characters'),
    height: notSupported('a size in pixels', 'cols and rows are in characters'),
    modes: notSupported('setting terminal modes'),
  },
};

/** An OPI settings structure (`GetSettings*`) with its extension fields. */
export const OPI_SETTINGS_KEYS: KeySpec = {
  path: '',
  noun: 'field',
  names: [
    'auth_type',
    'host',
    'port',
    'username',
    'password',
    'key_path',
    'pub_path',
    'passphrase',
    'keyboard_responses',
    'connect_timeout',
    'command_timeout',
    'keepalive_interval',
    'host_key_policy',
    'known_hosts',
    'host_key_fingerprint',
    'kex_algorithms',
    'ciphers',
    'macs',
    'host_key_algorithms',
    'hash_known_hosts',
  ],
  hints: {
    connectTimeout: { use: 'connect_timeout', note: 'in seconds' },
    readyTimeout: { use: 'connect_timeout', note: 'in seconds' },
    timeout: { use: 'connect_timeout', note: 'in seconds; command_timeout bounds each command' },
    commandTimeout: { use: 'command_timeout', note: 'in seconds' },
    keepaliveInterval: { use: 'keepalive_interval', note: 'in seconds' },
    privateKey: { use: 'key_path', note: 'key_path takes a file path or the key text' },
    privateKeyPath: { use: 'key_path' },
    publicKey: { use: 'pub_path' },
    knownHosts: { use: 'known_hosts' },
    fingerprint: { use: 'host_key_fingerprint' },
    hostVerifier: { use: 'host_key_fingerprint', note: 'or host_key_policy' },
    hostKey: { note: 'use host_key_policy, known_hosts and host_key_fingerprint' },
    keyboard: { use: 'keyboard_responses' },
    user: { use: 'username' },
    login: { use: 'username' },
    hostname: { use: 'host' },
    server: { use: 'host', note: 'a proxy goes in its own structure (GetProxySettings)' },
    proxy: { note: "a proxy is CreateConnection's second argument, or GetConnectionConfiguration(settings, proxy)" },
    algorithms: { note: 'use kex_algorithms, ciphers, macs and host_key_algorithms' },
  },
};

/** An OPI proxy structure (`GetProxySettings`). */
export const OPI_PROXY_KEYS: KeySpec = {
  path: 'proxy',
  noun: 'field',
  names: ['server', 'port', 'proxy_type', 'login', 'password'],
  hints: { host: { use: 'server' }, address: { use: 'server' }, type: { use: 'proxy_type' }, username: { use: 'login' }, user: { use: 'login' } },
};

/** An OPI configuration (`GetConnectionConfiguration`). */
export const OPI_CONFIGURATION_KEYS: KeySpec = {
  path: 'connection',
  noun: 'field',
  names: ['set', 'proxy'],
  hints: { settings: { use: 'set' } },
};

/** An OPI logging structure (`GetLoggingSettings`). */
export const OPI_LOGGING_KEYS: KeySpec = {
  path: 'logging',
  noun: 'field',
  names: ['mode', 'max_entries', 'file_path'],
};

/** Lower case without `_` and `-`: `connect_timeout` and `connectTimeout` meet. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        (rows[0] as number[]).push(j);
        continue;
      }
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      let best = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The closest known name to a typo, if one is close enough. */
function closest(name: string, names: readonly string[]): string | undefined {
  const wanted = folded(name);
  if (wanted.length === 0 || wanted.length > 64) return undefined;
  const limit = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of names) {
    const distance = editDistance(wanted, folded(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A key as a message shows it: quoted, printable, cut at 64 characters. */
function shownKey(key: string): string {
  const cut = key.length > 64 ? `${key.slice(0, 64)}...` : key;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/'/g, "\\'");
}

function qualified(spec: KeySpec, name: string): string {
  return spec.path === '' ? name : `${spec.path}.${name}`;
}

/** The Settings error for one unknown key. */
export function unknownKeyError(spec: KeySpec, key: string): SshError {
  const hint = spec.hints && Object.hasOwn(spec.hints, key) ? spec.hints[key] : undefined;
  // A hint that only has a note means there is no equivalent: no guess then.
  const use = hint !== undefined ? hint.use : closest(key, spec.names);
  let detail: string;
  if (use !== undefined) {
    // A hint's target may sit elsewhere (`hostKey.verify` from the top level): shown as written.
    const target = hint?.use?.includes('.') ? hint.use : qualified(spec, use);
    detail = `did you mean '${target}'?${hint?.note ? ` ${hint.note}` : ''}`;
  } else if (hint?.note !== undefined) {
    detail = hint.note;
  } else {
    detail = `expected one of: ${spec.names.join(', ')}`;
  }
  return settingsError(`unknown ${spec.noun}`, `'${shownKey(qualified(spec, key))}' (${detail})`);
}

/**
 * Throws a Settings error for the first own enumerable key of `value` that `spec` does not know.
 * Keys whose value is `undefined` count as absent.
 */
export function checkKeys(value: object, spec: KeySpec): void {
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    throw settingsError(spec.path === '' ? (spec.noun === 'field' ? 'settings' : 'options') : spec.path, 'must be a plain object whose keys can be listed');
  }
  for (const key of keys) {
    if (spec.names.includes(key)) continue;
    let present = true;
    try {
      present = (value as Record<string, unknown>)[key] !== undefined;
    } catch {
      // a throwing getter: the key is there, and unknown
    }
    if (present) throw unknownKeyError(spec, key);
  }
}
