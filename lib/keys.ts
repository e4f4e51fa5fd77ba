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
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const PUBLIC_KEY = [
  /^(ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[A-Za-z0-9@.-]+[ \t]+AAAA[A-Za-z0-9+/]/,
  /^---- BEGIN SSH2 PUBLIC KEY ----/,
  /^-----BEGIN (RSA |)PUBLIC KEY-----/,
];

/** The cipher name of an openssh-key-v1 body, or undefined when the body is not one. */
function opensshCipher(text: string): string | undefined {
  const start = text.indexOf(OPENSSH_BEGIN) + OPENSSH_BEGIN.length;
  const end = text.indexOf(OPENSSH_END, start);
  if (end < 0) return undefined;
  // The magic (15 bytes) and the cipher name's length (4) and name (short) are in the first
  // ~100 base64 characters; decoding only those keeps this cheap for any input.
  const body = text.slice(start, end).replace(/\s+/g, '').slice(0, 128);
  const bytes = Buffer.from(body.slice(0, body.length - (body.length % 4)), 'base64');
  if (bytes.length < OPENSSH_MAGIC.length + 4 || !bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return undefined;
  const length = bytes.readUInt32BE(OPENSSH_MAGIC.length);
  const from = OPENSSH_MAGIC.length + 4;
  if (length === 0 || length > 64 || from + length > bytes.length) return undefined;
  const name = bytes.subarray(from, from + length).toString('latin1');
  return /^[A-Za-z0-9@._-]+$/.test(name) ? name : undefined;
}

/** Reads the header of `key`; the key's own text is never kept. */
export function keyFacts(key: Buffer): KeyFacts {
  // The header is ASCII; latin1 maps any byte to one character, so offsets stay exact.
  const text = key.subarray(0, 64 * 1024).toString('latin1').replace(/^\uFEFF?\s*/, '');
  if (text.startsWith(OPENSSH_BEGIN)) {
    const cipher = opensshCipher(text);
    if (cipher === undefined) return { format: 'unknown', encrypted: false };
    return cipher === 'none' ? { format: 'openssh', encrypted: false } : { format: 'openssh', encrypted: true, cipher };
  }
  if (text.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return { format: 'pkcs8', encrypted: true };
  const pem = /^-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----\r?\n((?:[A-Za-z-]+:[^\n]*\r?\n)*)/.exec(text);
  if (pem !== null) {
    return { format: 'pem', encrypted: /^Proc-Type:[ \t]*4,[ \t]*ENCRYPTED/im.test(pem[2] ?? '') };
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
  const head = key.subarray(0, 4096).toString('latin1').replace(/^\uFEFF?\s*/, '');
  if (PUBLIC_KEY.some((pattern) => pattern.test(head))) {
    throw keyError('this is a public key; pass the private key file (without .pub)', where);
  }
  if (head.startsWith('PuTTY-User-Key-File-')) {
    throw keyError('PuTTY keys (.ppk) are not supported; convert it with: puttygen key.ppk -O private-openssh -o key', where);
  }
  const facts = keyFacts(key);
  if (facts.encrypted && !hasPassphrase) {
    const format = facts.format === 'openssh' ? `OpenSSH format, ${facts.cipher ?? 'encrypted'}` : facts.format === 'pkcs8' ? 'PKCS#8, encrypted' : 'PEM, Proc-Type: 4,ENCRYPTED';
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
