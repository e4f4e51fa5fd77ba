// Property tests (fast-check) of the entry points that take user structures: any JSON value, and
// odd JavaScript values (BigInt, symbols, functions, cyclic objects, boxed values, null-prototype
// objects, sparse arrays, typed arrays, Dates, Maps...), as settings, proxy, logging, configuration
// or command must give a result object: never a throw, never a rejection, never a crash. Settings
// errors carry code INVALID_SETTINGS and start with `Settings error: `; nothing internal (a
// TypeError turned into code INVALID_STATE) may leak out.
//
// No network: every structure is rewritten so that whatever would pass validation points at
// 127.0.0.1 and a port nothing listens on (startRefusingPort), with a 1 s connect_timeout, and
// log files go to a temp dir.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  IsConnector,
  SshError,
} from '../../dist/index.js';
import { startRefusingPort } from '../fixtures/proxies.mjs';

const RUNS = Number(process.env.NSSH_PROPERTY_RUNS ?? 300);
// npm test uses a fixed seed, so a run is reproducible and CI does not turn red on a value never
// seen before; NSSH_PROPERTY_SEED=random explores (and prints the seed of any failure).
if (process.env.NSSH_PROPERTY_SEED !== 'random') {
  fc.configureGlobal({ seed: Number(process.env.NSSH_PROPERTY_SEED ?? 20261125) });
}
// Codes a call without any reachable server can end with.
const OFFLINE_CODES = new Set(['INVALID_SETTINGS', 'CONNECT_FAILED', 'AGENT_FAILED', 'KEY_INVALID', 'PROXY_UNSUPPORTED', 'TIMEOUT']);
const SETTINGS_FIELDS = ['auth_type', 'host', 'port', 'username', 'password', 'key_path', 'pub_path', 'passphrase',
  'keyboard_responses', 'connect_timeout', 'command_timeout', 'keepalive_interval', 'host_key_policy',
  'known_hosts', 'host_key_fingerprint'];
const PROXY_FIELDS = ['server', 'port', 'proxy_type', 'login', 'password'];
const LOGGING_FIELDS = ['mode', 'max_entries', 'file_path'];

let refusing;
let tmp;
before(async () => {
  refusing = await startRefusingPort();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-property-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- values ------------------------------------------------------------------------------------

function cyclic() {
  const value = { host: '127.0.0.1', port: 22 };
  value.self = value;
  value.list = [value];
  return value;
}

/** Odd JavaScript values that are not JSON. */
const oddValue = fc.oneof(
  fc.constantFrom(
    undefined, null, NaN, -0, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e308, 5e-324,
    0n, 22n, -1n, 2n ** 70n, true, false, '', ' ', '\0', '22\0', 'a\u0000b', '\ud800', '\u{1F600}', 'x'.repeat(70000),
    Symbol('s'), Symbol.iterator, () => 22, async () => 22, function* gen() { yield 1; }, class Foo {},
    new Date(0), new Date(NaN), /re/g, new Error('e'), new Map([['host', '127.0.0.1']]), new Set([1]),
    new WeakMap(), Buffer.from('127.0.0.1'), new Uint8Array(3), new ArrayBuffer(4), Promise.resolve(22),
    // biome-ignore lint/suspicious/noSparseArray: arrays with holes are among the odd values on purpose
    Object.create(null), Object.freeze({ port: 22 }), [], [,], [1, , 3], new Array(5),
    new String('127.0.0.1'), new Number(22), new Boolean(true), Object(1n),
    { toString: 1, valueOf: 1 }, { toJSON: 1 }, { [Symbol.toPrimitive]: 1 }, { length: 3 },
    globalThis, Math, JSON,
  ),
  fc.constant(null).map(() => cyclic()),
  fc.bigInt(),
);

/** JSON and non-JSON values, including nested objects whose keys are field names. */
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue() },
  { weight: 3, arbitrary: oddValue },
  {
    weight: 2,
    arbitrary: fc.anything({
      key: fc.oneof(fc.string(), fc.constantFrom(...SETTINGS_FIELDS, ...PROXY_FIELDS, '__proto__', 'toString', 'valueOf', 'toJSON', 'constructor', 'set', 'proxy')),
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
  },
);

// Field values JSON.stringify cannot handle (BigInt, cycles, a throwing toJSON) are generated too:
// settings errors show values without JSON.stringify. NSSH_PROPERTY_STRICT=0 leaves them out.
const STRICT = process.env.NSSH_PROPERTY_STRICT !== '0';
function stringifies(value) {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** A value for one field: often plausible for that field, often anything at all. */
function fieldValue(plausible) {
  const anything = STRICT ? anyValue : anyValue.filter(stringifies);
  return fc.oneof({ weight: 2, arbitrary: plausible }, { weight: 2, arbitrary: anything }, { weight: 1, arbitrary: fc.constant(undefined) });
}
const portLike = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom('22', ' 22 ', '0', '65536', '2 2', '22.0', '0x16', '+22', '-1'));
const secondsLike = fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(0, 1, -1, '1', '0.5', 'abc', '', 1e12, Infinity));

const settingsRecord = fc.record({
  auth_type: fieldValue(fc.constantFrom('password', 'private_key', 'agent', 'keyboard_interactive', 'PASSWORD', 'Private_Key', 'none', 'publickey')),
  host: fieldValue(fc.constantFrom('127.0.0.1', 'localhost', '::1', '')),
  port: fieldValue(portLike),
  username: fieldValue(fc.constantFrom('nsshtest', 'root', '', 'a\0b')),
  password: fieldValue(fc.string({ minLength: 8 }).map((s) => `pw-${s}`)),
  key_path: fieldValue(fc.constantFrom('/nonexistent/key', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', os.tmpdir(), '/dev/null')),
  pub_path: fieldValue(fc.constantFrom('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB', '/nonexistent/key.pub', '')),
  passphrase: fieldValue(fc.string()),
  keyboard_responses: fieldValue(fc.array(fc.string(), { maxLength: 3 })),
  connect_timeout: fieldValue(secondsLike),
  command_timeout: fieldValue(secondsLike),
  keepalive_interval: fieldValue(secondsLike),
  host_key_policy: fieldValue(fc.constantFrom('strict', 'accept-new', 'off', 'OFF', 'yes')),
  known_hosts: fieldValue(fc.constantFrom('/nonexistent/known_hosts', os.tmpdir(), '')),
  host_key_fingerprint: fieldValue(fc.constantFrom(`SHA256:${'A'.repeat(43)}`, 'SHA256:short', 'MD5:aa')),
}, { requiredKeys: [] });

const proxyRecord = fc.record({
  server: fieldValue(fc.constantFrom('127.0.0.1', 'localhost', '')),
  port: fieldValue(portLike),
  proxy_type: fieldValue(fc.constantFrom('socks5', 'SOCKS5', 'socks4', 'http', 'https', 'socks4a', '')),
  login: fieldValue(fc.string()),
  password: fieldValue(fc.string()),
}, { requiredKeys: [] });

const loggingRecord = fc.record({
  mode: fieldValue(fc.constantFrom('memory', 'file', 'both', 'MEMORY', 'none')),
  max_entries: fieldValue(fc.integer({ min: -5, max: 500 })),
  file_path: fieldValue(fc.constantFrom('log.txt', '', '/nonexistent/dir/log.txt')),
}, { requiredKeys: [] });

// Structures that pass validation (they end at the refused TCP connect), as they are and with up
// to two fields replaced by anything: most inputs a program really passes are nearly right.
const FAKE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const validSettings = fc.oneof(
  fc.record({ auth_type: fc.constantFrom('password', 'PASSWORD'), password: fc.string() }),
  fc.record({ auth_type: fc.constant('private_key'), key_path: fc.constant(FAKE_KEY), passphrase: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['auth_type', 'key_path'] }),
  fc.record({ auth_type: fc.constant('keyboard_interactive'), keyboard_responses: fc.array(fc.string(), { minLength: 1, maxLength: 3 }) }),
  fc.record({ auth_type: fc.constant('agent') }),
).chain((auth) => fc.record({
  host: fc.constantFrom('127.0.0.1', 'localhost'),
  port: fc.constantFrom(22, '22', 2222),
  username: fc.constantFrom('nsshtest', 'root', 'ü'),
  command_timeout: fc.option(fc.constantFrom(0, 1, 2.5, '3'), { nil: undefined }),
  keepalive_interval: fc.option(fc.constantFrom(0, 1, '0.5'), { nil: undefined }),
  host_key_policy: fc.option(fc.constantFrom('strict', 'accept-new', 'off'), { nil: undefined }),
}, { requiredKeys: ['host', 'port', 'username'] }).map((rest) => ({ ...auth, ...rest })));
const validProxy = fc.record({
  server: fc.constantFrom('127.0.0.1', 'localhost'),
  port: fc.constantFrom(1080, '1080'),
  proxy_type: fc.constantFrom('socks5', 'SOCKS5', 'socks4', 'http'),
  login: fc.option(fc.string(), { nil: undefined }),
  password: fc.option(fc.string(), { nil: undefined }),
}, { requiredKeys: ['server', 'port'] });
const validLogging = fc.record({ mode: fc.constantFrom('memory', 'file', 'both'), max_entries: fc.integer({ min: -1, max: 10 }), file_path: fc.constant('log.txt') });

/** `valid` with up to two of `fields` replaced by anything (or removed). */
function mutated(valid, fields) {
  const anything = STRICT ? anyValue : anyValue.filter(stringifies);
  return fc.tuple(valid, fc.dictionary(fc.constantFrom(...fields), anything, { maxKeys: 2 })).map(([base, changes]) => ({ ...base, ...changes }));
}

const settingsArb = fc.oneof(
  { weight: 2, arbitrary: validSettings },
  { weight: 4, arbitrary: mutated(validSettings, SETTINGS_FIELDS) },
  { weight: 2, arbitrary: settingsRecord },
  { weight: 1, arbitrary: anyValue },
);
const proxyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: validProxy },
  { weight: 2, arbitrary: mutated(validProxy, PROXY_FIELDS) },
  { weight: 1, arbitrary: proxyRecord },
  { weight: 1, arbitrary: anyValue },
);
const loggingArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: validLogging },
  { weight: 1, arbitrary: mutated(validLogging, LOGGING_FIELDS) },
  { weight: 1, arbitrary: loggingRecord },
  { weight: 1, arbitrary: anyValue },
);
const commandArb = fc.oneof(fc.string(), fc.constantFrom('', 'true', 'a\0b'), anyValue);
const configArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ set: settingsArb, proxy: proxyArb }, { requiredKeys: ['set'] }) },
  { weight: 1, arbitrary: anyValue },
);

// ---- no network --------------------------------------------------------------------------------

const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value)
  && [Object.prototype, null].includes(Object.getPrototypeOf(value));
const usableString = (value) => typeof value === 'string' && value.length > 0 && !value.includes('\0');
const usablePort = (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535)
  || (typeof value === 'string' && /^\s*\d+\s*$/.test(value) && Number(value) >= 1 && Number(value) <= 65535);

/** A copy of a plain structure in which every usable host, port and file points nowhere harmful. */
function offline(value, kind) {
  if (!isPlainObject(value)) return value;
  const out = Object.assign(Object.create(Object.getPrototypeOf(value)), value);
  const has = (key) => Object.hasOwn(out, key);
  if (kind === 'settings' || kind === 'proxy') {
    const hostKey = kind === 'settings' ? 'host' : 'server';
    if (has(hostKey) && usableString(out[hostKey])) out[hostKey] = '127.0.0.1';
    if (has('port') && usablePort(out.port)) out.port = typeof out.port === 'string' ? String(refusing.port) : refusing.port;
  }
  if (kind === 'settings') out.connect_timeout = has('connect_timeout') && typeof out.connect_timeout !== 'number' && typeof out.connect_timeout !== 'string' ? out.connect_timeout : 1;
  if (kind === 'logging' && has('file_path') && usableString(out.file_path)) out.file_path = path.join(tmp, 'log.txt');
  if (kind === 'config') {
    if (has('set')) out.set = offline(out.set, 'settings');
    if (has('proxy')) out.proxy = offline(out.proxy, 'proxy');
  }
  return out;
}

// ---- checks ------------------------------------------------------------------------------------

/** The OPI failure contract; returns the failure. */
function assertOpiFailure(result, what) {
  assert.equal(typeof result, 'object', `${what}: not an object: ${String(result)}`);
  assert.notEqual(result, null, `${what}: null`);
  assert.deepEqual(Object.keys(result).sort(), ['code', 'error', 'result'], `${what}: ${JSON.stringify(result)}`);
  assert.equal(result.result, false);
  assert.equal(typeof result.error, 'string');
  assert.ok(result.error.length > 0, `${what}: empty error`);
  assert.ok(OFFLINE_CODES.has(result.code), `${what}: code ${result.code}: ${result.error}`);
  if (result.code === 'INVALID_SETTINGS') assert.match(result.error, /^Settings error: /, what);
  if (result.error.startsWith('Settings error: ')) assert.equal(result.code, 'INVALID_SETTINGS', what);
  return result;
}

/** Secrets given in a structure must not come back in an error. */
function assertNoSecret(error, ...structures) {
  for (const structure of structures) {
    if (!isPlainObject(structure)) continue;
    for (const key of ['password', 'passphrase']) {
      const secret = structure[key];
      if (typeof secret === 'string' && secret.length >= 8) assert.ok(!error.includes(secret), `the ${key} appears in: ${error}`);
    }
  }
}

/** Calls `fn`; a synchronous throw fails the property (the functions must never throw). */
async function noThrow(fn, what) {
  let promise;
  try {
    promise = fn();
  } catch (error) {
    assert.fail(`${what} threw synchronously: ${error?.stack ?? String(error)}`);
  }
  let outcome;
  await promise.then((value) => { outcome = { value }; }, (error) => { outcome = { error }; });
  if ('error' in outcome) assert.fail(`${what} rejected: ${outcome.error?.stack ?? String(outcome.error)}`);
  return outcome.value;
}

function describeValue(value) {
  try {
    return fc.stringify(value).slice(0, 300);
  } catch {
    return `<${typeof value}>`;
  }
}

describe('OPI entry points never throw', () => {
  it('CreateConnection(settings, proxy, logging) with any values gives {result: false, error, code} with a stable code', async (t) => {
    const codes = {};
    await fc.assert(fc.asyncProperty(settingsArb, proxyArb, loggingArb, async (rawSettings, rawProxy, rawLogging) => {
      const settings = offline(rawSettings, 'settings');
      const proxy = offline(rawProxy, 'proxy');
      const logging = offline(rawLogging, 'logging');
      const result = await noThrow(() => CreateConnection(settings, proxy, logging), 'CreateConnection');
      if (IsConnector(result)) {
        await CloseConnection(result);
        assert.fail('connected with no server listening');
      }
      assertOpiFailure(result, `CreateConnection(${describeValue(settings)}, ${describeValue(proxy)}, ${describeValue(logging)})`);
      assertNoSecret(result.error, settings, proxy);
      codes[result.code] = (codes[result.code] ?? 0) + 1;
    }), { numRuns: RUNS });
    t.diagnostic(`codes: ${JSON.stringify(codes)}`);
    // The generators must also reach the network step (a refused TCP connect), not only validation.
    assert.ok((codes.CONNECT_FAILED ?? 0) > 0, JSON.stringify(codes));
  });

  it('ExecuteCommand(configuration, command) with any values gives a failure result', async () => {
    await fc.assert(fc.asyncProperty(configArb, commandArb, async (rawConfig, command) => {
      const config = offline(rawConfig, 'config');
      const result = await noThrow(() => ExecuteCommand(config, command), 'ExecuteCommand');
      const failure = assertOpiFailure(result, `ExecuteCommand(${describeValue(config)}, ${describeValue(command)})`);
      if (typeof command !== 'string' || command === '' || command.includes('\0')) {
        assert.equal(failure.code, 'INVALID_SETTINGS');
        assert.match(failure.error, /^Settings error: command /);
      }
      if (isPlainObject(config)) assertNoSecret(failure.error, config.set, config.proxy);
    }), { numRuns: RUNS });
  });

  it('GetConnectionConfiguration(settings, proxy) with any values returns {set, proxy?} without throwing', () => {
    fc.assert(fc.property(settingsArb, proxyArb, (settings, proxy) => {
      let result;
      try {
        result = GetConnectionConfiguration(settings, proxy);
      } catch (error) {
        assert.fail(`GetConnectionConfiguration(${describeValue(settings)}, ${describeValue(proxy)}) threw: ${error?.stack}`);
      }
      assert.equal(typeof result, 'object');
      assert.ok(Object.is(result.set, settings));
      if ('proxy' in result) assert.ok(Object.is(result.proxy, proxy));
      assert.deepEqual(Object.keys(result).filter((k) => k !== 'set' && k !== 'proxy'), []);
    }), { numRuns: RUNS * 3 });
  });

  it('a configuration made by GetConnectionConfiguration from any values goes through ExecuteCommand without a throw', async () => {
    await fc.assert(fc.asyncProperty(settingsArb, proxyArb, async (settings, proxy) => {
      const config = GetConnectionConfiguration(offline(settings, 'settings'), offline(proxy, 'proxy'));
      assertOpiFailure(await noThrow(() => ExecuteCommand(config, 'true'), 'ExecuteCommand'), `config ${describeValue(config)}`);
    }), { numRuns: Math.ceil(RUNS / 2) });
  });
});

describe('values JSON.stringify cannot handle', () => {
  const cyclicValue = cyclic();
  const unserializable = { BigInt: 10n, 'boxed BigInt': Object(1n), cyclic: cyclicValue, 'throwing toJSON': { toJSON() { throw new Error('toJSON'); } } };
  const base = () => ({ auth_type: 'password', host: '127.0.0.1', port: refusing.port, username: 'u', password: 'p', connect_timeout: 1 });
  it('as any settings, proxy or logging field: INVALID_SETTINGS with "Settings error: "', async () => {
    const wrong = [];
    for (const [name, value] of Object.entries(unserializable)) {
      for (const field of ['auth_type', 'port', 'connect_timeout', 'command_timeout', 'keepalive_interval', 'host_key_policy', 'host_key_fingerprint', 'known_hosts', 'host', 'username', 'password']) {
        const r = await CreateConnection({ ...base(), [field]: value });
        if (r.code !== 'INVALID_SETTINGS' || !r.error.startsWith('Settings error: ')) wrong.push(`settings.${field} = ${name}: ${r.code} ${r.error}`);
      }
      for (const field of ['proxy_type', 'port', 'server', 'login', 'password']) {
        const r = await CreateConnection(base(), { server: '127.0.0.1', port: refusing.port, proxy_type: 'socks5', [field]: value });
        if (r.code !== 'INVALID_SETTINGS') wrong.push(`proxy.${field} = ${name}: ${r.code} ${r.error}`);
      }
      const r = await CreateConnection(base(), undefined, { mode: value });
      if (r.code !== 'INVALID_SETTINGS') wrong.push(`logging.mode = ${name}: ${r.code} ${r.error}`);
      for (const field of ['connectTimeout', 'commandTimeout', 'keepaliveInterval']) {
        const error = await connect({ host: '127.0.0.1', port: refusing.port, username: 'u', password: 'p', [field]: value }).then(() => null, (e) => e);
        if (!(error instanceof SshError) || error.code !== 'INVALID_SETTINGS') wrong.push(`connect ${field} = ${name}: ${error?.constructor?.name} ${error?.message}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('hostile values', () => {
  // Getters and proxies that throw, objects that cannot be turned into strings or JSON. The
  // contract here is only: a failure result (or SshError), no throw, no crash.
  const boom = () => { throw new Error('boom from a getter'); };
  const hostile = [
    { get host() { return boom(); }, port: 22, username: 'u', auth_type: 'password' },
    { host: '127.0.0.1', get port() { return boom(); }, username: 'u', auth_type: 'password' },
    new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom }),
    (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })(),
    { host: '127.0.0.1', port: 22, username: 'u', auth_type: 'password', connect_timeout: { toJSON: boom, valueOf: boom, toString: boom } },
    { host: '127.0.0.1', port: 22, username: 'u', auth_type: { toString: boom, [Symbol.toPrimitive]: boom } },
    { host: '127.0.0.1', port: 22, username: 'u', auth_type: 'keyboard_interactive', keyboard_responses: new Proxy([], { get: boom }) },
  ];
  // CreateConnection calls IsConnector (instanceof) before its try block: a Proxy whose
  // getPrototypeOf trap throws, or a revoked Proxy, makes it reject (reported).
  const todo = {};
  for (const [i, value] of hostile.entries()) {
    it(`hostile structure #${i} as settings, proxy, logging and configuration: a failure result`, todo[i] ? { todo: todo[i] } : {}, async () => {
      const asSettings = await noThrow(() => CreateConnection(value), 'CreateConnection(hostile)');
      assert.equal(asSettings.result, false);
      assert.equal(typeof asSettings.error, 'string');
      const asProxy = await noThrow(() => CreateConnection({ host: '127.0.0.1', port: refusing.port, username: 'u', auth_type: 'password', connect_timeout: 1 }, value), 'CreateConnection(_, hostile)');
      assert.equal(asProxy.result, false);
      const asLogging = await noThrow(() => CreateConnection({ host: '127.0.0.1', port: refusing.port, username: 'u', auth_type: 'password', connect_timeout: 1 }, undefined, value), 'CreateConnection(_, _, hostile)');
      assert.equal(asLogging.result, false);
      const asConfig = await noThrow(() => ExecuteCommand(value, 'true'), 'ExecuteCommand(hostile)');
      assert.equal(asConfig.result, false);
      const asSet = await noThrow(() => ExecuteCommand({ set: value }, 'true'), 'ExecuteCommand({set: hostile})');
      assert.equal(asSet.result, false);
    });
  }
});

describe('idiomatic client', () => {
  const optionsRecord = fc.record({
    host: fieldValue(fc.constantFrom('127.0.0.1', '')),
    port: fieldValue(portLike),
    username: fieldValue(fc.constantFrom('u', '')),
    password: fieldValue(fc.string()),
    privateKey: fieldValue(fc.constantFrom('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', Buffer.alloc(0))),
    privateKeyPath: fieldValue(fc.constantFrom('/nonexistent/key')),
    agent: fieldValue(fc.boolean()),
    keyboard: fieldValue(fc.array(fc.string(), { maxLength: 2 })),
    proxy: fieldValue(fc.record({ type: fieldValue(fc.constantFrom('socks5', 'socks4', 'http', 'ftp')), host: fieldValue(fc.constant('127.0.0.1')), port: fieldValue(portLike), login: fieldValue(fc.string()), password: fieldValue(fc.string()) }, { requiredKeys: [] })),
    connectTimeout: fieldValue(fc.integer({ min: -1, max: 5000 })),
    commandTimeout: fieldValue(fc.integer({ min: -1, max: 5000 })),
    keepaliveInterval: fieldValue(fc.integer({ min: -1, max: 5000 })),
    hostKey: fieldValue(fc.record({ policy: fieldValue(fc.constantFrom('strict', 'accept-new', 'off', 'no')), knownHosts: fieldValue(fc.constant('/nonexistent')), fingerprint: fieldValue(fc.constant('SHA256:x')), verify: fieldValue(fc.constant(() => true)) }, { requiredKeys: [] })),
  }, { requiredKeys: [] });

  it('connect(options) with any values rejects with an SshError (never a TypeError)', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: optionsRecord }, { weight: 1, arbitrary: anyValue }), async (raw) => {
      let options = raw;
      if (isPlainObject(raw)) {
        options = Object.assign(Object.create(Object.getPrototypeOf(raw)), raw);
        if (usablePort(options.port)) options.port = refusing.port;
        if (usableString(options.host)) options.host = '127.0.0.1';
        if (isPlainObject(options.proxy)) options.proxy = { ...options.proxy, host: '127.0.0.1', port: usablePort(options.proxy.port) ? refusing.port : options.proxy.port };
        if (options.connectTimeout === undefined || (typeof options.connectTimeout === 'number' && options.connectTimeout > 1000)) options.connectTimeout = 1000;
      }
      let promise;
      try {
        promise = connect(options);
      } catch (error) {
        assert.fail(`connect threw synchronously: ${error?.stack}`);
      }
      const outcome = await promise.then((c) => ({ connection: c }), (error) => ({ error }));
      if (outcome.connection) {
        await outcome.connection.close();
        assert.fail('connected with no server listening');
      }
      const { error } = outcome;
      assert.ok(error instanceof SshError, `connect(${describeValue(options)}) rejected with ${error?.stack ?? String(error)}`);
      assert.ok(OFFLINE_CODES.has(error.code), `${error.code}: ${error.message}`);
      if (error.code === 'INVALID_SETTINGS') assert.match(error.message, /^Settings error: /);
    }), { numRuns: RUNS });
  });
});
