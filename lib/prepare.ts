/**
 * From a validated plan to the engine's connect options: reads the key and known_hosts files and
 * resolves names within the connect timeout; the engine gets what is left of it.
 * @packageDocumentation
 */
import dns = require('node:dns');
import fs = require('node:fs');
import net = require('node:net');

import { SshError, settingsError, shown } from './errors';
import { RawAddress, RawConnectOptions } from './native';
import { ConnectPlan, HostKeyPlan } from './settings';

export function timeoutError(plan: ConnectPlan, stage: string): SshError {
  return new SshError({
    code: 'TIMEOUT',
    level: 'timeout',
    message: `Timeout error: no connection to ${plan.host}:${plan.port} within ${plan.connectTimeoutMs / 1000} s (stage: ${stage})`,
  });
}

/** Resolves `host` (numeric addresses are used as they are); bounded by `deadline`. */
async function resolve(host: string, viaProxy: boolean, plan: ConnectPlan, deadline: number): Promise<RawAddress[]> {
  const family = net.isIP(host);
  if (family !== 0) return [{ address: host, family: family as 4 | 6 }];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(plan, 'DNS lookup')), Math.max(0, deadline - Date.now()));
  });
  try {
    const found = await Promise.race([dns.promises.lookup(host, { all: true, verbatim: true }), timeout]);
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
  } finally {
    clearTimeout(timer);
  }
}

async function readKey(source: { text: Buffer } | { path: string }, field: string): Promise<Buffer> {
  if ('text' in source) return source.text;
  try {
    return await fs.promises.readFile(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw settingsError(field, `must be key text or a readable file (cannot read ${shown(source.path)}: ${code})`);
  }
}

export async function rawOptions(plan: ConnectPlan, deadline: number): Promise<RawConnectOptions> {
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
    case 'private_key':
      raw.auth.privateKey = await readKey(plan.auth.privateKey, 'key_path');
      if (plan.auth.publicKey !== undefined) raw.auth.publicKey = await readKey(plan.auth.publicKey, 'pub_path');
      if (plan.auth.passphrase !== undefined) raw.auth.passphrase = plan.auth.passphrase;
      break;
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
      knownHostsText: await readKnownHosts(plan.hostKey),
      knownHostsPath: plan.hostKey.knownHostsPath,
      recordNew: plan.hostKey.policy === 'accept-new' && plan.hostKey.explicit,
    };
    if (plan.hostKey.fingerprint !== undefined) raw.hostKey.fingerprint = plan.hostKey.fingerprint;
  }
  raw.wantHostKeyVerdict = plan.hostKey.verify !== undefined;
  if (plan.algorithms !== undefined) raw.algorithms = plan.algorithms;
  raw.connectTimeoutMs = Math.max(1, deadline - Date.now());
  return raw;
}

async function readKnownHosts(hostKey: HostKeyPlan): Promise<string> {
  try {
    return await fs.promises.readFile(hostKey.knownHostsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    throw settingsError(hostKey.explicit ? 'known_hosts' : 'known_hosts (default ~/.ssh/known_hosts)', `must be a readable file (cannot read ${shown(hostKey.knownHostsPath)}: ${code ?? 'error'})`);
  }
}

/** accept-new with an explicit file: append the new host's line (OpenSSH format). */
export async function recordKnownHost(hostKey: HostKeyPlan, line: string): Promise<void> {
  let prefix = '';
  try {
    const existing = await fs.promises.readFile(hostKey.knownHostsPath, 'utf8');
    if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
  } catch {
    // a new file
  }
  await fs.promises.appendFile(hostKey.knownHostsPath, `${prefix}${line}\n`, { mode: 0o600 });
}
