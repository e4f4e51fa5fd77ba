// A scripted fake SSH server for the hostile-peer suites (test/hostile/*.test.mjs), written from
// RFC 4253 (transport), RFC 8731 (curve25519-sha256), RFC 8709 (ssh-ed25519) and RFC 8308
// (EXT_INFO) with node:net and node:crypto only. It completes a real key exchange with libssh2
// (curve25519-sha256, ssh-ed25519 host key, aes128-ctr / aes256-ctr, hmac-sha2-256 / -512 and,
// when a plan asks, hmac-sha2-256-etm@openssh.com; no strict KEX) and then serves logins and channels (test/hostile/fake-ssh-services.mjs), but every
// step can be scripted: a plan object of settings and hooks decides what the server says and when
// it breaks the protocol. This file is a library: no test logic.
//
//   const server = await startFakeSshServer({
//     afterBanner(conn) { conn.halt(); conn.flood(() => junk); },     // raw bytes, own schedule
//     afterNewKeys(conn) { conn.sendPacket(payload, { misalign: 3 }); }, // malformed, encrypted
//   });
//   ... connect to server.host:server.port ...
//   server.stats.channelRequests.exec; await server.stop();
//
// Plan (every field optional):
//   banner            identification string without CR LF ('SSH-2.0-FakeSSH_1.0'); null: none
//   sendKexinit       false: never send our KEXINIT (the script halts at the client's)
//   ciphers, macs     what we offer (default: every one in ssh-wire.mjs but the encrypt-then-MAC
//                     MAC, which a plan names when it wants it)
//   extInfo           {name: value} sent as SSH_MSG_EXT_INFO after our NEWKEYS when the client's
//                     KEXINIT lists ext-info-c (default {'server-sig-algs': ...}); null: never
//   hostKey           a key from generateHostKey() (default: a new one per server)
//   beforeBanner(conn), afterBanner(conn), afterKexinit(conn), afterNewKeys(conn),
//   afterAuth(conn)   hooks; a hook may call conn.halt() to end the script there
//   auth, channel, requests, exec, keepalive   see fake-ssh-services.mjs
//
// A connection (`conn`, given to hooks) has: sendRaw(bytes), sendPacket(payload, options) (see
// PacketSealer.seal: padding, paddingLength, lengthOverride, misalign), flood(next), halt(),
// stopReading(), silence() (drop everything we would send from now on), close(), the socket,
// and counters of what it received (conn.received: message type -> count).

import crypto from 'node:crypto';
import net from 'node:net';

import { handleServiceMessage } from './fake-ssh-services.mjs';
import { MACS, CIPHERS, MSG, PacketOpener, PacketSealer, Reader, Writer } from './ssh-wire.mjs';

const KEX_METHODS = ['curve25519-sha256', 'curve25519-sha256@libssh.org'];
const DEFAULT_SIG_ALGS = 'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256';
const MAX_BANNER_BYTES = 64 * 1024;

/** A new Ed25519 host key: {type, privateKey, blob, fingerprint, knownHostsLine(host, port)}. */
export function generateHostKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const blob = new Writer().string('ssh-ed25519').string(raw).toBuffer();
  const fingerprint = `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return {
    type: 'ssh-ed25519',
    privateKey,
    blob,
    fingerprint,
    knownHostsLine: (host, port) => `${port === 22 ? host : `[${host}]:${port}`} ssh-ed25519 ${blob.toString('base64')}`,
  };
}

/** An SSH packet payload: the message number, then the fields written by `fill(writer)`. */
export function payload(type, fill = () => undefined) {
  const writer = new Writer().byte(type);
  fill(writer);
  return writer.toBuffer();
}

const sha256 = (...parts) => {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function newStats() {
  return {
    connections: 0,
    bytesIn: 0,
    messages: {}, // message type -> count, every connection
    userauth: { none: 0, password: 0, publickeyQuery: 0, publickeySigned: 0, keyboardInteractive: 0, succeeded: 0, banners: 0 },
    publickeyAlgorithms: [],
    channelOpens: 0,
    channelRequests: {}, // request type -> count
    globalRequests: {}, // request name -> count
    commands: [],
    channelDataBytes: 0,
    errors: [], // protocol errors the fake saw (a wrong packet from the client, or a fake bug)
  };
}

/** One client connection and the state of its script. */
export class FakeConnection {
  /** @type {Map<number, import('./fake-ssh-services.mjs').FakeChannel>} */
  channels = new Map();
  received = {};
  halted = false;
  silent = false;
  clientBanner = null;
  clientKex = null; // the client's KEXINIT name-lists
  negotiated = null;
  sessionId = null;
  authenticated = false;
  #in = new PacketOpener();
  #out = new PacketSealer();
  #bannerText = '';
  #kexinitSent = false;
  #serverKexinit = null;
  #clientKexinit = null;
  #pendingInKeys = null;

  constructor(socket, plan, hostKey, stats) {
    this.socket = socket;
    this.plan = plan;
    this.hostKey = hostKey;
    this.stats = stats;
    this.serverBanner = plan.banner === undefined ? 'SSH-2.0-FakeSSH_1.0' : plan.banner;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => undefined);
    this.#start();
  }

  /** Writes bytes as they are (unless silenced or closed). Returns socket.write's answer. */
  sendRaw(bytes) {
    if (this.silent || this.socket.destroyed || this.socket.writableEnded) return false;
    return this.socket.write(bytes);
  }

  /** Sends one packet with the current keys; `options` may break it on purpose (PacketSealer.seal). */
  sendPacket(body, options) {
    return this.sendRaw(this.#out.seal(body, options));
  }

  /** Whether our outgoing packets are encrypted yet. */
  get encrypted() { return this.#out.encrypted; }

  /** The script stops: nothing more is sent on our own; received bytes are read and dropped. */
  halt() { this.halted = true; }

  /** Stops reading the socket: the client's writes fill the TCP buffers and then block. */
  stopReading() { this.socket.pause(); }

  /** Drops everything we would send from now on (a peer that went silent, socket left open). */
  silence() { this.silent = true; }

  close() { this.socket.destroy(); }

  /**
   * Writes next() after next() as fast as the client reads, until next() returns null, stop()
   * is called or the socket closes. Returns stop().
   */
  flood(next) {
    let stopped = false;
    const pump = () => {
      while (!stopped && !this.socket.destroyed && !this.socket.writableEnded) {
        const chunk = next();
        if (chunk === null || chunk === undefined) return;
        if (!this.socket.write(chunk)) {
          this.socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
    return () => { stopped = true; };
  }

  /** Sends SSH_MSG_DISCONNECT and closes. */
  disconnect(reason, description) {
    this.sendPacket(payload(MSG.DISCONNECT, (w) => w.u32(reason).string(description).string('')));
    this.socket.end();
  }

  #fail(message) {
    this.stats.errors.push(message);
    this.socket.destroy();
  }

  #hook(name) {
    if (this.halted || this.socket.destroyed) return false;
    this.plan[name]?.(this);
    return !this.halted && !this.socket.destroyed;
  }

  #start() {
    if (!this.#hook('beforeBanner')) return;
    if (this.serverBanner !== null) this.sendRaw(`${this.serverBanner}\r\n`);
    if (!this.#hook('afterBanner')) return;
    if (this.plan.sendKexinit !== false) this.#sendKexinit();
  }

  #onData(chunk) {
    this.stats.bytesIn += chunk.length;
    if (this.halted) return;
    try {
      let data = chunk;
      if (this.clientBanner === null) {
        data = this.#readBanner(chunk);
        if (data === null) return;
      }
      this.#in.feed(data);
      for (let packet = this.#in.next(); packet !== null; packet = this.halted ? null : this.#in.next()) {
        this.#onPacket(packet);
      }
    } catch (error) {
      this.#fail(`${error.message}`);
    }
  }

  /** Collects the client's identification line; returns the bytes after it, or null. */
  #readBanner(chunk) {
    this.#bannerText += chunk.toString('latin1');
    for (;;) {
      const eol = this.#bannerText.indexOf('\n');
      if (eol < 0) {
        if (this.#bannerText.length > MAX_BANNER_BYTES) throw new Error('client banner too long');
        return null;
      }
      const line = this.#bannerText.slice(0, eol).replace(/\r$/, '');
      this.#bannerText = this.#bannerText.slice(eol + 1);
      if (line.startsWith('SSH-')) {
        this.clientBanner = line;
        const rest = Buffer.from(this.#bannerText, 'latin1');
        this.#bannerText = '';
        return rest;
      }
    }
  }

  #onPacket({ seq, payload: body }) {
    if (body.length === 0) throw new Error('empty payload');
    const type = body[0];
    this.received[type] = (this.received[type] ?? 0) + 1;
    this.stats.messages[type] = (this.stats.messages[type] ?? 0) + 1;
    const reader = new Reader(body, 1);
    switch (type) {
      case MSG.DISCONNECT:
        this.socket.end();
        return;
      case MSG.IGNORE:
      case MSG.DEBUG:
      case MSG.UNIMPLEMENTED:
        return;
      case MSG.KEXINIT:
        this.#onKexinit(body);
        return;
      case MSG.KEX_ECDH_INIT:
        this.#onEcdhInit(reader);
        return;
      case MSG.NEWKEYS:
        if (this.#pendingInKeys === null) throw new Error('NEWKEYS before the key exchange');
        this.#in.setKeys(this.#pendingInKeys);
        this.#pendingInKeys = null;
        return;
      default:
        if (this.sessionId === null) throw new Error(`message ${type} before the key exchange`);
        if (!handleServiceMessage(this, type, reader)) {
          this.sendPacket(payload(MSG.UNIMPLEMENTED, (w) => w.u32(seq)));
        }
    }
  }

  #sendKexinit() {
    const ciphers = this.plan.ciphers ?? Object.keys(CIPHERS);
    const macs = this.plan.macs ?? Object.keys(MACS).filter((name) => !MACS[name].etm);
    this.#serverKexinit = payload(MSG.KEXINIT, (w) => {
      w.raw(crypto.randomBytes(16));
      for (const list of [KEX_METHODS, ['ssh-ed25519'], ciphers, ciphers, macs, macs, ['none'], ['none'], [], []]) {
        w.nameList(list);
      }
      w.bool(false).u32(0);
    });
    this.#kexinitSent = true;
    this.sendPacket(this.#serverKexinit);
    this.#hook('afterKexinit');
  }

  #onKexinit(body) {
    this.#clientKexinit = Buffer.from(body);
    const reader = new Reader(body, 17);
    const names = ['kex', 'hostKey', 'cipherCs', 'cipherSc', 'macCs', 'macSc', 'compCs', 'compSc', 'langCs', 'langSc'];
    const lists = {};
    for (const name of names) lists[name] = reader.nameList();
    this.clientKex = lists;
    if (this.plan.sendKexinit === false) {
      this.halt();
      return;
    }
    if (!this.#kexinitSent) this.#sendKexinit();
    const serverOffer = new Reader(this.#serverKexinit, 17);
    const ours = {};
    for (const name of names) ours[name] = serverOffer.nameList();
    const pick = (name) => {
      const found = lists[name].find((candidate) => ours[name].includes(candidate));
      if (found === undefined) throw new Error(`no common ${name}: client ${lists[name]}, server ${ours[name]}`);
      return found;
    };
    this.negotiated = {
      kex: pick('kex'),
      hostKey: pick('hostKey'),
      cipherCs: pick('cipherCs'),
      cipherSc: pick('cipherSc'),
      macCs: pick('macCs'),
      macSc: pick('macSc'),
    };
  }

  #onEcdhInit(reader) {
    if (this.negotiated === null) throw new Error('KEX_ECDH_INIT before KEXINIT');
    const clientPublic = reader.string();
    if (clientPublic.length !== 32) throw new Error(`X25519 key of ${clientPublic.length} bytes`);
    const { publicKey, privateKey } = crypto.generateKeyPairSync('x25519');
    const serverPublic = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
    const peer = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: clientPublic.toString('base64url') }, format: 'jwk' });
    const secret = crypto.diffieHellman({ privateKey, publicKey: peer });
    const sharedK = new Writer().mpint(secret).toBuffer();
    const exchangeHash = sha256(new Writer()
      .string(this.clientBanner).string(this.serverBanner)
      .string(this.#clientKexinit).string(this.#serverKexinit)
      .string(this.hostKey.blob).string(clientPublic).string(serverPublic)
      .raw(sharedK)
      .toBuffer());
    this.sessionId ??= exchangeHash;
    const signature = new Writer().string('ssh-ed25519').string(crypto.sign(null, exchangeHash, this.hostKey.privateKey)).toBuffer();
    this.sendPacket(payload(MSG.KEX_ECDH_REPLY, (w) => w.string(this.hostKey.blob).string(serverPublic).string(signature)));
    this.sendPacket(payload(MSG.NEWKEYS));

    const derive = (letter, length) => {
      let out = sha256(sharedK, exchangeHash, Buffer.from(letter), this.sessionId);
      while (out.length < length) out = Buffer.concat([out, sha256(sharedK, exchangeHash, out)]);
      return out.subarray(0, length);
    };
    const { cipherCs, cipherSc, macCs, macSc } = this.negotiated;
    this.#pendingInKeys = {
      cipher: cipherCs,
      iv: derive('A', CIPHERS[cipherCs].ivLength),
      key: derive('C', CIPHERS[cipherCs].keyLength),
      mac: macCs,
      macKey: derive('E', MACS[macCs].keyLength),
    };
    this.#out.setKeys({
      cipher: cipherSc,
      iv: derive('B', CIPHERS[cipherSc].ivLength),
      key: derive('D', CIPHERS[cipherSc].keyLength),
      mac: macSc,
      macKey: derive('F', MACS[macSc].keyLength),
    });
    this.#kexinitSent = false;
    const extInfo = this.plan.extInfo === undefined ? { 'server-sig-algs': DEFAULT_SIG_ALGS } : this.plan.extInfo;
    if (extInfo !== null && this.clientKex.kex.includes('ext-info-c')) {
      const entries = Object.entries(extInfo);
      this.sendPacket(payload(MSG.EXT_INFO, (w) => {
        w.u32(entries.length);
        for (const [name, value] of entries) w.string(name).string(value);
      }));
    }
    this.#hook('afterNewKeys');
  }

  /** Runs a hook by name (for the services module); false when the script has ended. */
  runHook(name) {
    return this.#hook(name);
  }
}

/**
 * Starts a fake server on 127.0.0.1 and a free port (chosen by the kernel).
 * @param {object} [plan] see the header comment
 * @returns {Promise<{host: string, port: number, hostKey: ReturnType<typeof generateHostKey>,
 *   stats: ReturnType<typeof newStats>, connections: () => FakeConnection[], stop: () => Promise<void>}>}
 */
export async function startFakeSshServer(plan = {}) {
  const hostKey = plan.hostKey ?? generateHostKey();
  const stats = newStats();
  const connections = new Set();
  const server = net.createServer((socket) => {
    stats.connections += 1;
    const conn = new FakeConnection(socket, plan, hostKey, stats);
    connections.add(conn);
    socket.on('close', () => connections.delete(conn));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => { server.off('error', reject); resolve(); });
  });
  let stopping;
  return {
    host: '127.0.0.1',
    port: server.address().port,
    hostKey,
    stats,
    connections: () => [...connections],
    stop() {
      stopping ??= new Promise((resolve) => {
        for (const conn of connections) conn.socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
