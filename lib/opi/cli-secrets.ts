/**
 * Secrets for the command line without putting them on it: a value given with `--pass` is used as
 * it is (OPI's CLI takes it there, but any user can read it in `ps`); otherwise the environment
 * variable named for it; otherwise, when stdin is a terminal and the secret is needed, a prompt on
 * stderr that reads the answer without echo. Runs on the JavaScript thread of the CLI process only.
 * @packageDocumentation
 */
import fs = require('node:fs');

import { keyFacts } from '../keys';

/** The user pressed Ctrl-C (or Ctrl-D on an empty line is not this: that is an empty answer). */
export class PromptCancelled extends Error {}

/** Where the CLI finds one secret. */
export interface SecretSource {
  /** The environment variable read when the option is absent, e.g. `NATIVE_SSH_PASSWORD`. */
  env: string;
  /**
   * The prompt to show when neither the option nor the variable is given, or undefined when the
   * secret is not needed for these values (e.g. a passphrase for a key that is not encrypted).
   */
  prompt(values: Record<string, unknown>): string | undefined;
}

/** The secret options of the CLI's methods. */
export const SECRETS = {
  password: {
    env: 'NATIVE_SSH_PASSWORD',
    prompt: (v) => `Password for ${String(v.user)}@${String(v.host)}: `,
  },
  passphrase: {
    env: 'NATIVE_SSH_PASSPHRASE',
    prompt: (v) => (typeof v.key === 'string' && keyIsEncrypted(v.key) ? `Passphrase for ${v.key.includes('\n') ? 'the key' : v.key}: ` : undefined),
  },
  proxyPassword: {
    env: 'NATIVE_SSH_PROXY_PASSWORD',
    prompt: (v) => (typeof v.login === 'string' && v.login !== '' ? `Proxy password for ${v.login}@${String(v.addr)}: ` : undefined),
  },
} satisfies Record<string, SecretSource>;

/**
 * True when `key` (a file path, or key text) is an encrypted private key, from its header. A file
 * is read only when it is a regular file, and only its first 64 KiB.
 */
function keyIsEncrypted(key: string): boolean {
  if (key.includes('-----BEGIN')) return keyFacts(Buffer.from(key, 'utf8')).encrypted;
  let fd: number | undefined;
  try {
    fd = fs.openSync(key, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(64 * 1024);
    const length = fs.readSync(fd, head, 0, head.length, 0);
    return keyFacts(head.subarray(0, length)).encrypted;
  } catch {
    return false; // an unreadable key is reported when it is used
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The secret: `given` (the option's value) when present, else the environment variable, else the
 * answer to a prompt when stdin is a terminal and the secret is needed; undefined when none applies.
 */
export async function resolveSecret(given: string | undefined, source: SecretSource, values: Record<string, unknown>): Promise<string | undefined> {
  if (given !== undefined) return given;
  const fromEnv = process.env[source.env];
  if (fromEnv !== undefined) return fromEnv;
  const question = source.prompt(values);
  if (question === undefined || !process.stdin.isTTY) return undefined;
  return askHidden(question);
}

/**
 * Asks `question` on stderr and reads one line from the terminal on stdin with echo off (raw
 * mode): Enter ends it, Backspace removes a character, Ctrl-U clears the line, Ctrl-C rejects with
 * {@link PromptCancelled}, Ctrl-D ends it. The terminal's mode is restored in every case.
 */
export function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  // Echo goes off before the question shows: an answer typed right after it is never echoed.
  input.setRawMode(true);
  process.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let answer: string[] = [];
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error !== undefined) reject(error);
      else resolve(answer.join(''));
      answer = [];
    };
    const onData = (chunk: string): void => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          finish();
          return;
        }
        if (c === '\u0003') {
          finish(new PromptCancelled('cancelled'));
          return;
        }
        if (c === '\u007f' || c === '\b') answer.pop();
        else if (c === '\u0015') answer = [];
        else if (c >= ' ') answer.push(c);
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
