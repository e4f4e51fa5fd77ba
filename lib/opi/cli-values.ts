/**
 * The CLI's option values turned into the OPI functions' arguments: OPI's escape sequences in
 * plain text, key paths kept as they are, JSON options (JSON, OPI's single-quoted form, or a
 * `.json` file) and array options. A malformed value is a {@link UsageError}, whose message names
 * the option and a position, never the text (it may hold a secret). Pure functions but for
 * reading a named file, JavaScript thread.
 * @packageDocumentation
 */
import fs = require('node:fs');

import { LooseJsonError, parseLooseJson } from './loose-json';

/** A bad command line: printed with the method's help, exit status 2. Never holds a secret. */
export class UsageError extends Error {}

/** OPI's escapes for plain text options: the two characters `\n`, `\r`, `\v`, `\f` become controls. */
export function unescapeText(value: string): string {
  const controls: Record<string, string> = { n: '\n', r: '\r', v: '\v', f: '\f' };
  return value.replace(/\\([nrvf])/g, (_, letter: string) => controls[letter] as string);
}

function isFile(value: string): boolean {
  try {
    return fs.statSync(value).isFile();
  } catch {
    return false;
  }
}

/** A text option that may be a file path (`--key`, `--pub`): an existing file is left as it is. */
export function pathOrText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return isFile(value) ? value : unescapeText(value);
}

/**
 * A JSON object option (`--set`, `--proxy`, `--conn`): JSON text, OPI's single-quoted JSON, or the
 * path of a `.json` file holding either. Empty text is "not given".
 */
export function jsonObject(option: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  let parsed: unknown;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      parsed = parseLooseJson(text);
    } catch (error) {
      if (error instanceof LooseJsonError) throw new UsageError(`${option}: invalid JSON: ${error.message}`);
      throw error;
    }
  } else {
    let content: string;
    try {
      content = fs.readFileSync(value, 'utf8');
    } catch (error) {
      // Echo the text only when it is plainly a file name: it might be mistyped JSON with a secret.
      const shown = /\.json$/i.test(value) ? ` ${JSON.stringify(value)}` : '';
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`${option}: expected a JSON object or the path of a .json file; cannot read the file${shown} (${reason})`);
    }
    try {
      parsed = parseLooseJson(content);
    } catch (error) {
      if (error instanceof LooseJsonError) throw new UsageError(`${option}: invalid JSON in ${JSON.stringify(value)}: ${error.message}`);
      throw error;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${option}: must be a JSON object ({...})`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * An array option (`--prompts`), possibly repeated: each occurrence is an array literal
 * (`['a','b']` or JSON) or a single value. No escape processing, as in OPI.
 */
export function stringArray(option: string, values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const text = value.trim();
    if (!(text.startsWith('[') && text.endsWith(']'))) {
      out.push(value);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseLooseJson(text);
    } catch (error) {
      if (error instanceof LooseJsonError) throw new UsageError(`${option}: invalid array: ${error.message}`);
      throw error;
    }
    for (const item of parsed as unknown[]) {
      if (typeof item !== 'string' && typeof item !== 'number') throw new UsageError(`${option}: array items must be strings`);
      out.push(String(item));
    }
  }
  return out;
}

/** A plain text option's value, OPI's escapes applied. */
export const text = (values: Record<string, unknown>, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? unescapeText(value) : undefined;
};
/** An option's value as given (JSON, paths, --out). */
export const raw = (values: Record<string, unknown>, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};
