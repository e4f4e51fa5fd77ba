// The SSH wire format for the hostile-peer test server (test/hostile/fake-ssh-server.mjs),
// written from the RFCs: the data types of RFC 4251 §5 (Writer / Reader), the message numbers of
// RFC 4253 / 4252 / 4254 / 8308, and the binary packet protocol of RFC 4253 §6 in both
// directions: framing and random padding, aes128-ctr / aes256-ctr encryption and hmac-sha2-256 /
// hmac-sha2-512 MACs over (sequence number || packet), or hmac-sha2-256-etm@openssh.com
// (encrypt-then-MAC, OpenSSH's PROTOCOL §1.5: the length field stays clear, the MAC covers
// sequence number || length || ciphertext). The sealing side can be told to break the
// rules (wrong length field, wrong padding length, a packet that is not a whole number of cipher
// blocks) so tests can send malformed packets on purpose. node:crypto only.

import crypto from 'node:crypto';

export const MSG = Object.freeze({
  DISCONNECT: 1, IGNORE: 2, UNIMPLEMENTED: 3, DEBUG: 4, SERVICE_REQUEST: 5, SERVICE_ACCEPT: 6,
  EXT_INFO: 7, KEXINIT: 20, NEWKEYS: 21, KEX_ECDH_INIT: 30, KEX_ECDH_REPLY: 31,
  USERAUTH_REQUEST: 50, USERAUTH_FAILURE: 51, USERAUTH_SUCCESS: 52, USERAUTH_BANNER: 53,
  USERAUTH_PK_OK: 60, GLOBAL_REQUEST: 80, REQUEST_SUCCESS: 81, REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90, CHANNEL_OPEN_CONFIRMATION: 91, CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93, CHANNEL_DATA: 94, CHANNEL_EXTENDED_DATA: 95, CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97, CHANNEL_REQUEST: 98, CHANNEL_SUCCESS: 99, CHANNEL_FAILURE: 100,
});

/** Builds a payload from RFC 4251 data types. */
export class Writer {
  #parts = [];

  byte(value) { this.#parts.push(Buffer.from([value & 0xff])); return this; }
  bool(value) { return this.byte(value ? 1 : 0); }
  u32(value) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    this.#parts.push(b);
    return this;
  }
  /** A string: uint32 length, then the bytes (a JS string is taken as UTF-8). */
  string(value) {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    this.u32(bytes.length);
    this.#parts.push(bytes);
    return this;
  }
  nameList(names) { return this.string(names.join(',')); }
  /** An mpint from the unsigned big-endian bytes of a non-negative number. */
  mpint(unsigned) {
    let start = 0;
    while (start < unsigned.length && unsigned[start] === 0) start += 1;
    let bytes = unsigned.subarray(start);
    if (bytes.length > 0 && bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return this.string(bytes);
  }
  raw(bytes) { this.#parts.push(Buffer.from(bytes)); return this; }
  toBuffer() { return Buffer.concat(this.#parts); }
}

/** Reads RFC 4251 data types from a payload; throws on a short read. */
export class Reader {
  constructor(buffer, offset = 0) {
    this.buffer = buffer;
    this.offset = offset;
  }

  get left() { return this.buffer.length - this.offset; }
  #need(n) {
    if (this.left < n) throw new Error(`short message: need ${n} bytes at offset ${this.offset}, have ${this.left}`);
  }
  byte() { this.#need(1); return this.buffer[this.offset++]; }
  bool() { return this.byte() !== 0; }
  u32() {
    this.#need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  string() {
    const length = this.u32();
    this.#need(length);
    const bytes = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
  text() { return this.string().toString('utf8'); }
  nameList() {
    const text = this.text();
    return text === '' ? [] : text.split(',');
  }
  rest() {
    const bytes = this.buffer.subarray(this.offset);
    this.offset = this.buffer.length;
    return bytes;
  }
}

/** Ciphers the fake server can speak: OpenSSL name, key and IV length, block size. */
export const CIPHERS = Object.freeze({
  'aes128-ctr': { openssl: 'aes-128-ctr', keyLength: 16, ivLength: 16, blockSize: 16 },
  'aes256-ctr': { openssl: 'aes-256-ctr', keyLength: 32, ivLength: 16, blockSize: 16 },
});

/**
 * MACs the fake server can speak: encrypt-and-MAC (RFC 4253 §6.4; RFC 6668) and one
 * encrypt-then-MAC (etm: true), which the fake offers only when a plan names it.
 */
export const MACS = Object.freeze({
  'hmac-sha2-256': { hash: 'sha256', keyLength: 32, length: 32 },
  'hmac-sha2-512': { hash: 'sha512', keyLength: 64, length: 64 },
  'hmac-sha2-256-etm@openssh.com': { hash: 'sha256', keyLength: 32, length: 32, etm: true },
});

const UNENCRYPTED_BLOCK = 8;

function sequenceBytes(seq) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seq >>> 0);
  return b;
}

/**
 * One direction's keys: {cipher, key, iv, mac, macKey}, names as in CIPHERS / MACS.
 * @typedef {{cipher: string, key: Buffer, iv: Buffer, mac: string, macKey: Buffer}} DirectionKeys
 */

/** Server-to-client packets: frames, pads, encrypts and MACs (or, on request, gets it wrong). */
export class PacketSealer {
  seq = 0;
  #cipher = null;
  #mac = null;
  #macKey = null;
  blockSize = UNENCRYPTED_BLOCK;

  /** @param {DirectionKeys} keys */
  setKeys(keys) {
    const cipher = CIPHERS[keys.cipher];
    this.#cipher = crypto.createCipheriv(cipher.openssl, keys.key, keys.iv);
    this.#mac = MACS[keys.mac];
    this.#macKey = keys.macKey;
    this.blockSize = cipher.blockSize;
  }

  get encrypted() { return this.#cipher !== null; }

  /**
   * The bytes of one packet carrying `payload`.
   * @param {Buffer} payload
   * @param {{padding?: number, paddingLength?: number, lengthOverride?: number, misalign?: number}} [o]
   *   padding: how many padding bytes to put (default: the least >= 4 that fills the last block);
   *   misalign: that many padding bytes more, so the packet is not a whole number of blocks (the
   *   length field agrees with the bytes sent); paddingLength: the value of the padding-length
   *   byte (default: the true one); lengthOverride: the value of the packet-length field (default:
   *   the true one). The MAC is always computed over the bytes actually sent.
   */
  seal(payload, { padding, paddingLength, lengthOverride, misalign = 0 } = {}) {
    const bs = this.blockSize;
    const etm = this.#mac?.etm === true; // then the length field is not part of the blocks
    let pad = padding;
    if (pad === undefined) {
      pad = bs - (((etm ? 0 : 4) + 1 + payload.length) % bs);
      if (pad < 4) pad += bs;
    }
    pad += misalign;
    const header = Buffer.alloc(5);
    header.writeUInt32BE((lengthOverride ?? 1 + payload.length + pad) >>> 0, 0);
    header[4] = paddingLength ?? pad;
    const packet = Buffer.concat([header, payload, crypto.randomBytes(pad)]);
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    if (this.#cipher === null) return packet;
    if (etm) {
      const sealed = Buffer.concat([header.subarray(0, 4), this.#cipher.update(packet.subarray(4))]);
      const mac = crypto.createHmac(this.#mac.hash, this.#macKey).update(sequenceBytes(seq)).update(sealed).digest();
      return Buffer.concat([sealed, mac]);
    }
    const mac = crypto.createHmac(this.#mac.hash, this.#macKey).update(sequenceBytes(seq)).update(packet).digest();
    return Buffer.concat([this.#cipher.update(packet), mac]);
  }
}

/** Client-to-server packets: collects bytes, decrypts, checks MACs, yields payloads. */
export class PacketOpener {
  seq = 0;
  #decipher = null;
  #mac = null;
  #macKey = null;
  #blockSize = UNENCRYPTED_BLOCK;
  #buffer = Buffer.alloc(0);
  #head = null; // the decrypted first block of the packet being read
  maxPacket = 1024 * 1024;

  /** @param {DirectionKeys} keys */
  setKeys(keys) {
    const cipher = CIPHERS[keys.cipher];
    this.#decipher = crypto.createDecipheriv(cipher.openssl, keys.key, keys.iv);
    this.#mac = MACS[keys.mac];
    this.#macKey = keys.macKey;
    this.#blockSize = cipher.blockSize;
  }

  /** Takes received bytes (read them back with next()). */
  feed(chunk) {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  /**
   * The next complete packet as {seq, payload}, or null until more bytes are fed. One at a time,
   * so keys changed after a NEWKEYS apply to the very next packet. Throws on bad input.
   */
  next() {
    let packet;
    if (this.#decipher === null) packet = this.#nextPlain();
    else packet = this.#mac.etm ? this.#nextEtm() : this.#nextSealed();
    if (packet === null) return null;
    const padding = packet[4];
    if (padding < 4 || 1 + padding > packet.length - 4) throw new Error(`bad padding length ${padding}`);
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    return { seq, payload: packet.subarray(5, packet.length - padding) };
  }

  #checkLength(length, etm = false) {
    if (length < 5 || length > this.maxPacket) throw new Error(`bad packet length ${length}`);
    if ((length + (etm ? 0 : 4)) % this.#blockSize !== 0) throw new Error(`packet length ${length} is not a whole number of blocks`);
  }

  #nextPlain() {
    if (this.#buffer.length < 4) return null;
    const length = this.#buffer.readUInt32BE(0);
    this.#checkLength(length);
    if (this.#buffer.length < 4 + length) return null;
    const packet = this.#buffer.subarray(0, 4 + length);
    this.#buffer = this.#buffer.subarray(4 + length);
    return packet;
  }

  /** Encrypt-then-MAC: a clear length, the ciphertext, a MAC over both; checked, then decrypted. */
  #nextEtm() {
    if (this.#buffer.length < 4) return null;
    const length = this.#buffer.readUInt32BE(0);
    this.#checkLength(length, true);
    if (this.#buffer.length < 4 + length + this.#mac.length) return null;
    const sealed = this.#buffer.subarray(0, 4 + length);
    const mac = this.#buffer.subarray(4 + length, 4 + length + this.#mac.length);
    this.#buffer = this.#buffer.subarray(4 + length + this.#mac.length);
    const expected = crypto.createHmac(this.#mac.hash, this.#macKey).update(sequenceBytes(this.seq)).update(sealed).digest();
    if (!crypto.timingSafeEqual(mac, expected)) throw new Error(`bad MAC on packet ${this.seq}`);
    return Buffer.concat([sealed.subarray(0, 4), this.#decipher.update(sealed.subarray(4))]);
  }

  #nextSealed() {
    const bs = this.#blockSize;
    if (this.#head === null) {
      if (this.#buffer.length < bs) return null;
      this.#head = this.#decipher.update(this.#buffer.subarray(0, bs));
      this.#buffer = this.#buffer.subarray(bs);
      this.#checkLength(this.#head.readUInt32BE(0));
    }
    const length = this.#head.readUInt32BE(0);
    const body = 4 + length - bs;
    if (this.#buffer.length < body + this.#mac.length) return null;
    const packet = Buffer.concat([this.#head, this.#decipher.update(this.#buffer.subarray(0, body))]);
    const mac = this.#buffer.subarray(body, body + this.#mac.length);
    this.#buffer = this.#buffer.subarray(body + this.#mac.length);
    this.#head = null;
    const expected = crypto.createHmac(this.#mac.hash, this.#macKey).update(sequenceBytes(this.seq)).update(packet).digest();
    if (!crypto.timingSafeEqual(mac, expected)) throw new Error(`bad MAC on packet ${this.seq}`);
    return packet;
  }
}
