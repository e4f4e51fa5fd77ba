/**
 * From a validated plan to an open {@link Connection}: reads the key and known_hosts files
 * (bounded in size), resolves names and checks the key's header, all within the connect timeout
 * (the engine gets what is left of it); then has the engine connect and log in, and answers its
 * host-key questions: the caller's `verify`, and accept-new's record of a new host under the
 * known_hosts lock (lib/known-hosts-record.ts). JavaScript thread.
 * @packageDocumentation
 */
import dns = require('node:dns');
import net = require('node:net');

import { Connection, NoticeRoute } from './connection';
import { debugSink } from './debug';
import { SshError, shown } from './errors';
import { MAX_KNOWN_HOSTS_BYTES, type ReadCancel, readBounded } from './files';
import { checkPrivateKey, type KeyFacts, wrongPassphrase } from './keys';
import { type KnownHostsLock, lockKnownHosts } from './known-hosts-record';
import { type RawAddress, type RawConnectOptions, type RawError, type RawEvent, SessionHandle } from './native';
import type { ConnectPlan, HostKeyPlan, KeySource } from './plan';
import { MAX_KEY_BYTES } from './validate';

/** What a connect timeout's message names: the target and the bound. */
export type DeadlineTarget = Pick<ConnectPlan, 'host' | 'port' | 'connectTimeoutMs'>;

function timeoutError(plan: DeadlineTarget, stage: string): SshError {
  return new SshError({
    code: 'TIMEOUT',
    level: 'timeout',
    message: `Timeout error: no connection to ${plan.host}:${plan.port} within ${plan.connectTimeoutMs / 1000} s (stage: ${stage})`,
  });
}

/**
 * Runs `work` (a file read, a name lookup) within the connect deadline: past it, a TIMEOUT naming
 * `stage`, and the work is told to stop (file reads look at `cancel`).
 */
export async function withinDeadline<T>(plan: DeadlineTarget, deadline: number, stage: string, work: (cancel: ReadCancel) => Promise<T>): Promise<T> {
  if (Date.now() >= deadline) throw timeoutError(plan, stage);
  const cancel: ReadCancel = { cancelled: false };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel.cancelled = true;
      reject(timeoutError(plan, stage));
    }, deadline - Date.now());
  });
  const running = work(cancel);
  running.catch(() => undefined); // a failure after the timeout won is nobody's
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves `host` (numeric addresses are used as they are); bounded by `deadline`. */
async function resolve(host: string, viaProxy: boolean, plan: ConnectPlan, deadline: number): Promise<RawAddress[]> {
  const family = net.isIP(host);
  if (family !== 0) return [{ address: host, family: family as 4 | 6 }];
  try {
    const found = await withinDeadline(plan, deadline, 'DNS lookup', () => dns.promises.lookup(host, { all: true, verbatim: true }));
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } catch (error) {
    if (error instanceof SshError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const what = viaProxy ? 'Proxy connection error' : 'Direct connection error';
    throw new SshError({
      code: 'DNS_FAILED',
      level: viaProxy ? 'proxy' : 'connect',
      message: `TCP error: ${what}: failed to look up address of ${host}: ${code}`,
    });
  }
}

/** How a key appears in messages: `key_path "/home/me/.ssh/id_ed25519"`, `privateKey (text)`. */
function keyWhere(source: KeySource): string {
  return 'path' in source ? `${source.field} ${shown(source.path)}` : `${source.field} (text)`;
}

function readKey(source: KeySource, cancel: ReadCancel): Promise<Buffer> {
  if ('text' in source) return Promise.resolve(source.text);
  const textField = source.field === 'privateKeyPath' ? 'privateKey' : source.field;
  return readBounded(source.path, {
    limit: MAX_KEY_BYTES,
    field: source.field,
    expected: 'key text or a readable file',
    noun: 'key file',
    cancel,
    instead: `to use a key from a pipe, read it yourself and pass the text as ${textField}`,
  });
}

/** The engine's connect options, and what the private key's header said (for the engine's errors). */
interface Prepared {
  raw: RawConnectOptions;
  key?: KeyFacts;
  /** Buffers read from key files for `raw`: zeroed by {@link forgetSecrets} once the engine has its copy. */
  owned?: Buffer[];
}

/**
 * Zeroes the key bytes this module read from files, once the engine copied `prepared.raw` (the
 * binding copies synchronously in `connect()`). Buffers the caller passed are the caller's and
 * are left alone.
 */
function forgetSecrets(prepared: Pick<Prepared, 'owned'>): void {
  for (const buffer of prepared.owned ?? []) buffer.fill(0);
}

/** libssh2's "wrong passphrase" (or "passphrase required") for a key file. */
const KEYFILE_AUTH_FAILED = -48;

/**
 * Turns an engine error into the SshError the caller gets. libssh2 reports a wrong passphrase as
 * -16 (LIBSSH2_ERROR_FILE: "Unsupported private key file format", PEM and ECDSA keys) or -48
 * (OpenSSH Ed25519 keys, which the engine counts as AUTH_FAILED): both are KEY_INVALID, and
 * for an encrypted key given a passphrase the message says the passphrase is wrong.
 */
function engineError(plan: ConnectPlan, prepared: Prepared, error: RawError | undefined): SshError {
  const init = error ?? { code: 'CONNECT_FAILED', level: 'connect', message: 'TCP error: connection failed' };
  if (plan.auth.type === 'private_key' && (init.code === 'KEY_INVALID' || init.errno === KEYFILE_AUTH_FAILED)) {
    if (plan.auth.passphrase !== undefined && (prepared.key?.encrypted || init.errno === KEYFILE_AUTH_FAILED)) {
      return wrongPassphrase(keyWhere(plan.auth.privateKey), init.errno);
    }
    return new SshError({ ...init, code: 'KEY_INVALID' });
  }
  return new SshError(init);
}

/** Reads files, resolves names and checks the key, within `deadline`. */
async function prepareConnect(plan: ConnectPlan, deadline: number, debug?: (message: string) => void): Promise<Prepared> {
  let key: KeyFacts | undefined;
  const owned: Buffer[] = [];
  let raw: RawConnectOptions;
  try {
    raw = await rawOptions(
      plan,
      deadline,
      (facts) => {
        key = facts;
      },
      owned,
      debug,
    );
  } catch (error) {
    forgetSecrets({ owned });
    throw error;
  }
  const prepared: Prepared = key === undefined ? { raw } : { raw, key };
  if (owned.length > 0) prepared.owned = owned;
  return prepared;
}

async function rawOptions(
  plan: ConnectPlan,
  deadline: number,
  onKey: (facts: KeyFacts) => void,
  owned: Buffer[],
  debug?: (message: string) => void,
): Promise<RawConnectOptions> {
  const raw: RawConnectOptions = {
    host: plan.host,
    addresses: [],
    port: plan.port,
    username: plan.username,
    connectTimeoutMs: 0,
    connectTimeoutTotalMs: plan.connectTimeoutMs,
    keepaliveIntervalMs: plan.keepaliveIntervalMs,
    wantHostKeyVerdict: false,
    auth: { type: plan.auth.type },
  };
  switch (plan.auth.type) {
    case 'password':
      raw.auth.password = plan.auth.password;
      break;
    case 'private_key': {
      const auth = plan.auth;
      raw.auth.privateKey = await withinDeadline(plan, deadline, 'reading the key file', (cancel) => readKey(auth.privateKey, cancel));
      if ('path' in auth.privateKey) owned.push(raw.auth.privateKey);
      onKey(checkPrivateKey(raw.auth.privateKey, auth.passphrase !== undefined, keyWhere(auth.privateKey)));
      const publicKey = auth.publicKey;
      if (publicKey !== undefined) raw.auth.publicKey = await withinDeadline(plan, deadline, 'reading the key file', (cancel) => readKey(publicKey, cancel));
      if (auth.passphrase !== undefined) raw.auth.passphrase = auth.passphrase;
      break;
    }
    case 'agent': {
      const socket = plan.auth.agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '') {
        throw new SshError({ code: 'AGENT_FAILED', level: 'auth', message: 'Auth error: no ssh-agent: SSH_AUTH_SOCK is not set' });
      }
      raw.auth.agentSocket = socket;
      break;
    }
    case 'keyboard_interactive':
      raw.auth.responses = plan.auth.responses;
      break;
  }
  if (plan.proxy !== undefined) {
    const proxy: NonNullable<RawConnectOptions['proxy']> = {
      type: plan.proxy.type,
      addresses: await resolve(plan.proxy.host, true, plan, deadline),
      port: plan.proxy.port,
    };
    if (plan.proxy.login !== undefined) proxy.login = plan.proxy.login;
    if (plan.proxy.password !== undefined) proxy.password = plan.proxy.password;
    raw.proxy = proxy;
  } else {
    raw.addresses = await resolve(plan.host, false, plan, deadline);
  }
  if (plan.hostKey.policy !== 'off') {
    raw.hostKey = {
      policy: plan.hostKey.policy,
      knownHostsText: await timed(debug, 'read known_hosts', () =>
        withinDeadline(plan, deadline, 'reading known_hosts', (cancel) => readKnownHosts(plan.hostKey, cancel)),
      ),
      knownHostsPath: plan.hostKey.knownHostsPath,
      recordNew: plan.hostKey.policy === 'accept-new',
      hashNew: plan.hostKey.hash,
    };
    if (plan.hostKey.fingerprint !== undefined) raw.hostKey.fingerprint = plan.hostKey.fingerprint;
  }
  raw.wantHostKeyVerdict = plan.hostKey.verify !== undefined;
  if (plan.algorithms !== undefined) raw.algorithms = plan.algorithms;
  raw.connectTimeoutMs = Math.max(1, deadline - Date.now());
  debug?.(`files read and names resolved: ${raw.connectTimeoutMs} ms of the connect timeout left for the engine`);
  raw.connectDeadlineHrMs = Number(process.hrtime.bigint() / 1000000n) + raw.connectTimeoutMs;
  return raw;
}

/** Runs `read` and says in the debug lines how long it took and how many bytes it gave. */
async function timed(debug: ((message: string) => void) | undefined, what: string, read: () => Promise<Buffer>): Promise<Buffer> {
  const started = Date.now();
  const bytes = await read();
  debug?.(`${what} (${bytes.length} bytes) in ${Date.now() - started} ms`);
  return bytes;
}

/** The known_hosts file's bytes, passed to the engine as they are. */
function readKnownHosts(hostKey: HostKeyPlan, cancel: ReadCancel): Promise<Buffer> {
  const field = hostKey.explicit ? hostKey.knownHostsField : `${hostKey.knownHostsField} (default ~/.ssh/known_hosts)`;
  return readBounded(hostKey.knownHostsPath, {
    limit: MAX_KNOWN_HOSTS_BYTES,
    field,
    expected: 'a readable file',
    noun: 'known_hosts file',
    cancel,
    emptyWhenAbsent: true,
  });
}

/** Numbers connections in debug lines. */
let connectionCount = 0;

/**
 * Opens a connection from a validated plan: reads files and resolves names ({@link prepareConnect}),
 * has the engine connect and log in, answers its host-key questions (the caller's `verify`, then
 * accept-new's record under the known_hosts lock), and makes the {@link Connection}. `startedAt`:
 * when the connect began (`Date.now()`; earlier when the ssh config was read first), the start of
 * `plan.connectTimeoutMs`.
 */
export async function openConnection(plan: ConnectPlan, startedAt = Date.now()): Promise<Connection> {
  const deadline = startedAt + plan.connectTimeoutMs;
  const debug = debugSink(plan.debug, `#${++connectionCount} ${plan.username}@${plan.host}:${plan.port}`);
  debug?.(
    `connecting${plan.proxy ? ` through ${plan.proxy.type} proxy ${plan.proxy.host}:${plan.proxy.port}` : ''}, login ${plan.auth.type}, host key policy ${plan.hostKey.policy}, within ${plan.connectTimeoutMs} ms`,
  );
  const prepared = await prepareConnect(plan, deadline, debug);
  const handle = new SessionHandle();
  const notices = new NoticeRoute(debug);
  prepared.raw.noticeRequestId = notices.id;
  if (debug !== undefined) prepared.raw.debug = true;
  return new Promise<Connection>((resolvePromise, reject) => {
    let lock: KnownHostsLock | undefined;
    const answer = (refusal: string | undefined): void => {
      try {
        if (refusal === undefined) handle.hostKeyVerdict(true);
        else handle.hostKeyVerdict(false, 'HOST_KEY_MISMATCH', refusal);
      } catch {
        // The engine stopped: the connect request gets its final event anyway.
      }
    };
    // accept-new met a new host: the caller's verify first, then the file is locked and re-read,
    // the engine checks the key against it again, and the line is appended under the lock.
    const onHostKey = async (info: Record<string, string>): Promise<void> => {
      if (info.phase === 'recorded') {
        const held = lock;
        lock = undefined;
        await held?.finish(info.known_hosts_line ?? '');
        answer(undefined);
        return;
      }
      const refusal = await askVerify(plan, info);
      if (info.phase !== 'record' || refusal !== undefined) {
        answer(refusal);
        return;
      }
      lock = await lockKnownHosts(plan.hostKey, deadline, debug);
      if (lock === undefined) {
        answer(undefined);
        return;
      }
      try {
        handle.hostKeyRecheck(lock.text);
      } catch {
        void lock.release();
        lock = undefined;
      }
    };
    const onEvent = (event: RawEvent): void => {
      if (event.kind === 'hostkey') {
        void onHostKey(event.info ?? {});
        return;
      }
      if (!event.ok) {
        void lock?.release();
        lock = undefined;
        notices.stop();
        reject(engineError(plan, prepared, event.error));
        return;
      }
      resolvePromise(Connection.fromEngine(handle, plan, event.info ?? {}, notices));
    };
    try {
      handle.connect(prepared.raw, onEvent);
    } catch (error) {
      notices.stop();
      reject(error);
    } finally {
      forgetSecrets(prepared);
    }
  });
}

/** Runs the caller's verify callback; resolves to a refusal message, or undefined to accept. */
async function askVerify(plan: ConnectPlan, info: Record<string, string>): Promise<string | undefined> {
  const verify = plan.hostKey.verify;
  if (verify === undefined) return undefined;
  const fingerprint = info.host_key_fingerprint ?? '';
  try {
    const accepted = await verify({
      type: info.host_key_type ?? 'unknown',
      fingerprint,
      key: Buffer.from(info.host_key ?? '', 'base64'),
      host: plan.host,
      port: plan.port,
    });
    return accepted === true ? undefined : `Host key error: the verify callback refused ${info.host_key_type ?? ''} key ${fingerprint}`;
  } catch (error) {
    return `Host key error: the verify callback failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
