/**
 * The connect plan: everything a connection needs, validated. Both APIs end in one
 * {@link ConnectPlan}, built by `planFromOptions` (lib/options.ts; the OPI settings are translated
 * to its options first), and lib/open.ts turns it into the engine's connect request.
 * @packageDocumentation
 */

/** A proxy protocol the engine speaks: `socks5` (RFC 1928/1929), `socks4` (SOCKS4a for host names) or `http` (CONNECT). */
export type ProxyType = 'socks4' | 'socks5' | 'http';

/** A proxy, normalised. */
export interface ProxyPlan {
  type: ProxyType;
  host: string;
  port: number;
  login?: string;
  password?: string;
}

/** Key text, or a path to read before connecting; `field` names it in messages. */
export type KeySource = ({ text: Buffer } | { path: string }) & { field: string };

/** How to log in, normalised. */
export type AuthPlan =
  | { type: 'password'; password: string }
  | {
      type: 'private_key';
      privateKey: KeySource;
      publicKey?: KeySource;
      passphrase?: string;
    }
  | { type: 'agent'; agentSocket?: string }
  | { type: 'keyboard_interactive'; responses: string[] };

/** What the server's key is checked against. */
export interface HostKeyPlan {
  policy: 'strict' | 'accept-new' | 'off';
  /** known_hosts file to read (and, for accept-new, to record new hosts in). */
  knownHostsPath: string;
  /** The file was named by the caller (the default one's directory is created when missing). */
  explicit: boolean;
  /** accept-new records new hosts hashed (OpenSSH's HashKnownHosts). */
  hash: boolean;
  /** The setting that names the file, for messages (`known_hosts`, `hostKey.knownHosts`). */
  knownHostsField: string;
  /** `SHA256:<base64>` the key must have. */
  fingerprint?: string;
  /** Idiomatic client: a last say after the policy accepted. */
  verify?: (key: { type: string; fingerprint: string; key: Buffer; host: string; port: number }) => boolean | Promise<boolean>;
}

/** Client-side algorithm preferences, each a comma list of libssh2 names (absent: defaults). */
export interface AlgorithmsPlan {
  kex?: string;
  cipher?: string;
  mac?: string;
  hostKey?: string;
}

/** Everything a connection needs, validated. */
export interface ConnectPlan {
  host: string;
  port: number;
  username: string;
  auth: AuthPlan;
  proxy?: ProxyPlan;
  /** Bound on DNS + TCP + proxy + SSH handshake + login, in milliseconds. */
  connectTimeoutMs: number;
  /** Default bound of each command in milliseconds; 0 = none. */
  commandTimeoutMs: number;
  /** Idiomatic client's `debug` option: gets each debug line. */
  debug?: (message: string) => void;
  /** SSH keepalive interval in milliseconds; 0 = off. */
  keepaliveIntervalMs: number;
  hostKey: HostKeyPlan;
  algorithms?: AlgorithmsPlan;
}
