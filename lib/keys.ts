/**
 * A look at a private key's header before the engine gets it, so that the common mistakes get
 * their own message instead of libssh2's "Unsupported private key file format": an encrypted key
 * without a passphrase, a public key given as the private one, a PuTTY key. Only the header (and,
 * for OpenSSH keys, the cipher name at the start of the body) is read; messages never contain
 * key text or a passphrase.
 * @packageDocumentation
 */
import { SshError } from './errors';

/** What the header says. `unknown`: left to libssh2. */
export interface KeyFacts {
  format: 'openssh' | 'pem' | 'pkcs8' | 'unknown';
  encrypted: boolean;
  /** OpenSSH keys: the cipher the key is encrypted with. */
  cipher?: string;
}

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const PUBLIC_KEY = [
  /^(ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[A-Za-z0-9@.-]+[ \t]+AAAA[A-Za-z0-9+/]/,
  /^---- BEGIN SSH2 PUBLIC KEY ----/,
  /^-----BEGIN (RSA |)PUBLIC KEY-----/,
];

/** The longest header line looked at (a public key's line is cut there: its prefix is enough). */
const MAX_LINE = 256;

/**
 * The key's first line and the lines that follow it up to the body, as text. Only these become
 * strings: the body, which holds the secret, stays in the Buffer (which the caller zeroes), so no
 * copy of the key is left in V8's heap.
 */
class KeyHead {
  readonly first: string;
  #key: Buffer;
  #next: number;

  constructor(key: Buffer) {
    this.#key = key;
    let at = 0;
    if (key[0] === 0xef && key[1] === 0xbb && key[2] === 0xbf) at = 3; // a UTF-8 byte order mark
    while (at < key.length && (key[at] === 0x20 || key[at] === 0x09 || key[at] === 0x0d || key[at] === 0x0a)) at++;
    this.#next = at;
    this.first = this.line();
  }

  /** The next line (without its line break), at most MAX_LINE characters of it. */
  line(): string {
    const from = this.#next;
    let end = this.#key.indexOf(0x0a, from);
    if (end < 0) end = this.#key.length;
    this.#next = end + 1;
    return this.#key
      .subarray(from, Math.min(end, from + MAX_LINE))
      .toString('latin1')
      .replace(/\r$/, '');
  }

  /** Up to `count` base64 characters from here on, whitespace skipped (the public start of a body). */
  base64(count: number): string {
    const chars: number[] = [];
    for (let at = this.#next; at < this.#key.length && chars.length < count; at++) {
      const byte = this.#key[at] as number;
      if (byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a) continue;
      if (byte === 0x2d) break; // the END line
      chars.push(byte);
    }
    return Buffer.from(chars).toString('latin1');
  }
}

/** The cipher name at the start of an openssh-key-v1 body, or undefined when it is not one. */
function opensshCipher(head: KeyHead): string | undefined {
  // The magic (15 bytes), the cipher name's length (4) and the name (short) are in the first
  // ~100 base64 characters; the secret part of the body comes far later.
  const body = head.base64(128);
  const bytes = Buffer.from(body.slice(0, body.length - (body.length % 4)), 'base64');
  if (bytes.length < OPENSSH_MAGIC.length + 4 || !bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return undefined;
  const length = bytes.readUInt32BE(OPENSSH_MAGIC.length);
  const from = OPENSSH_MAGIC.length + 4;
  if (length === 0 || length > 64 || from + length > bytes.length) return undefined;
  const name = bytes.subarray(from, from + length).toString('latin1');
  return /^[A-Za-z0-9@._-]+$/.test(name) ? name : undefined;
}

/** Reads the header of `key`; the key's own text is never turned into a string. */
export function keyFacts(key: Buffer): KeyFacts {
  return factsOf(new KeyHead(key));
}

function factsOf(head: KeyHead): KeyFacts {
  if (head.first === OPENSSH_BEGIN) {
    const cipher = opensshCipher(head);
    if (cipher === undefined) return { format: 'unknown', encrypted: false };
    return cipher === 'none' ? { format: 'openssh', encrypted: false } : { format: 'openssh', encrypted: true, cipher };
  }
  if (head.first === '-----BEGIN ENCRYPTED PRIVATE KEY-----') return { format: 'pkcs8', encrypted: true };
  if (/^-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----$/.test(head.first)) {
    // RFC 1421 headers (Proc-Type, DEK-Info) come before the body.
    for (let i = 0; i < 16; i++) {
      const line = head.line();
      if (!/^[A-Za-z-]+:/.test(line)) break;
      if (/^Proc-Type:[ \t]*4,[ \t]*ENCRYPTED/i.test(line)) return { format: 'pem', encrypted: true };
    }
    return { format: 'pem', encrypted: false };
  }
  return { format: 'unknown', encrypted: false };
}

function keyError(problem: string, where: string): SshError {
  return new SshError({ code: 'KEY_INVALID', level: 'auth', message: `Auth error: ${problem} (${where})` });
}

/**
 * Refuses the mistakes that the header shows, with code `KEY_INVALID`: `where` names the key in
 * the message (e.g. `key_path "/home/me/.ssh/id_ed25519"`). Returns what the header says.
 */
export function checkPrivateKey(key: Buffer, hasPassphrase: boolean, where: string): KeyFacts {
  const head = new KeyHead(key);
  if (PUBLIC_KEY.some((pattern) => pattern.test(head.first))) {
    throw keyError('this is a public key; pass the private key file (without .pub)', where);
  }
  if (head.first.startsWith('PuTTY-User-Key-File-')) {
    throw keyError('PuTTY keys (.ppk) are not supported; convert it with: puttygen key.ppk -O private-openssh -o key', where);
  }
  const facts = factsOf(head);
  if (facts.encrypted && !hasPassphrase) {
    const format =
      facts.format === 'openssh'
        ? `OpenSSH format, ${facts.cipher ?? 'encrypted'}`
        : facts.format === 'pkcs8'
          ? 'PKCS#8, encrypted'
          : 'PEM, Proc-Type: 4,ENCRYPTED';
    throw keyError('the key is encrypted: pass a passphrase', `${where}: ${format}`);
  }
  return facts;
}

/** The engine's KEY_INVALID for an encrypted key and a given passphrase: the passphrase is wrong. */
export function wrongPassphrase(where: string, errno: number | undefined): SshError {
  const init = {
    code: 'KEY_INVALID',
    level: 'auth',
    message: `Auth error: wrong passphrase for the key (${where}: libssh2 could not decrypt it${errno !== undefined ? `, libssh2 error ${errno}` : ''})`,
  };
  return new SshError(errno !== undefined ? { ...init, errno } : init);
}
