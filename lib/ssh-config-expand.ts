/**
 * Expansion of ssh_config values, as OpenSSH 9.x does it (misc.c `tilde_expand`,
 * `percent_dollar_expand`): a leading `~` or `~/` becomes the home directory, `%x` tokens the
 * connection's values, `${NAME}` an environment variable. Pure functions, called on the JS thread;
 * an unknown token, a lone `%`, an unset variable or `~user` fails.
 * @packageDocumentation
 */
import type { Fail } from './ssh-config-syntax';

/** Token letter -> value, e.g. `{h: 'example.com', p: '22'}`. */
export type Tokens = Record<string, string>;

/** What each token means, for the error that names the ones a keyword takes. */
const TOKEN_NAMES: Record<string, string> = {
  '%': 'a literal %',
  d: 'the local home directory',
  h: 'the remote host name',
  n: 'the host as given',
  p: 'the remote port',
  r: 'the remote user',
  u: 'the local user',
};

/** The tokens a keyword takes, listed for messages: `%h (the remote host name), %% (a literal %)`. */
function listTokens(tokens: Tokens): string {
  return [...Object.keys(tokens), '%'].map((key) => `%${key} (${TOKEN_NAMES[key] ?? key})`).join(', ');
}

/**
 * Replaces `%x` tokens; `%%` is a `%`. `${NAME}` is replaced by the environment variable when
 * `env` is given (IdentityFile and UserKnownHostsFile take both, HostName tokens only).
 */
export function expandTokens(keyword: string, value: string, tokens: Tokens, fail: Fail, env?: NodeJS.ProcessEnv, written = value): string {
  const shown = JSON.stringify(written);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (env !== undefined && c === '$' && value[i + 1] === '{') {
      const close = value.indexOf('}', i + 2);
      if (close < 0) fail(`${keyword} ${shown} has "\${" without a closing "}"`);
      const name = value.slice(i + 2, close);
      if (name === '') fail(`${keyword} ${shown} has an empty "\${}"`);
      const found = env[name];
      if (found === undefined) fail(`${keyword} ${shown} names the environment variable ${name}, which is not set`);
      out += found;
      i = close;
    } else if (c !== '%') {
      out += c;
    } else {
      const key = value[++i];
      if (key === '%') out += '%';
      else if (key !== undefined && Object.hasOwn(tokens, key)) out += tokens[key];
      else if (key === undefined) fail(`${keyword} ${shown} ends with a lone % (expected ${listTokens(tokens)})`);
      else fail(`${keyword} ${shown} has the token %${key}, which is not supported here (expected ${listTokens(tokens)})`);
    }
  }
  return out;
}

/** A leading `~` or `~/` -> `home`; `~user` fails (other users' homes are not looked up). */
export function expandTilde(keyword: string, value: string, home: string, fail: Fail): string {
  if (!value.startsWith('~')) return value;
  const rest = value.slice(1);
  if (rest !== '' && !rest.startsWith('/')) {
    fail(`${keyword} ${JSON.stringify(value)} names another user's home (~user is not supported; expected ~/path or an absolute path)`);
  }
  // As OpenSSH: the home, one slash, the rest (not normalised).
  return `${home.endsWith('/') ? home : `${home}/`}${rest.replace(/^\/+/, '')}`;
}

/** `~` then tokens and `${NAME}`, as OpenSSH expands IdentityFile and UserKnownHostsFile. */
export function expandPath(keyword: string, value: string, home: string, tokens: Tokens, fail: Fail, env: NodeJS.ProcessEnv): string {
  return expandTokens(keyword, expandTilde(keyword, value, home, fail), tokens, fail, env, value);
}
