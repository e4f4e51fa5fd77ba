/**
 * JSON, or OPI's single-quoted form of it (`{'set':{'host':'h','port':'22'}}`), as the CLI's JSON
 * options take it. A small parser of its own, not a text replacement: anything that is valid JSON
 * parses as `JSON.parse` would, and errors name a position, never the text (it may hold secrets).
 * @packageDocumentation
 */

/** A syntax error in a JSON option; the message names a position, never the text. */
export class LooseJsonError extends Error {}

const MAX_DEPTH = 100;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * A recursive-descent parser for JSON in which strings may also be single-quoted, as OPI's CLI
 * writes them (`{'set':{'port':'22'}}`). Valid JSON parses exactly as `JSON.parse` would. The
 * leniencies only give a meaning to text JSON rejects:
 * - in a single-quoted string a `'` ends the string only when the next non-blank character is
 *   `,` `:` `}` `]` or the end, so `'it's'` is `it's`; `\'` is always a quote;
 * - a `"` inside a single-quoted string is an ordinary character;
 * - an unknown escape such as `\U` keeps its backslash (Windows paths), raw control characters
 *   are allowed in strings, and a trailing comma before `}` or `]` is ignored.
 */
class LooseJsonParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): unknown {
    this.skipBlanks();
    const value = this.value(0);
    this.skipBlanks();
    if (this.pos < this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private fail(what: string, at = this.pos): never {
    throw new LooseJsonError(`${what} at position ${at + 1}`);
  }

  private skipBlanks(): void {
    while (this.pos < this.text.length && ' \t\n\r\uFEFF'.includes(this.text[this.pos] as string)) this.pos++;
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of the text');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, meaning] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos) && !/[A-Za-z0-9_$]/.test(this.text[this.pos + word.length] ?? '')) {
        this.pos += word.length;
        return meaning;
      }
    }
    return this.fail('expected a value');
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skipBlanks();
    while (this.text[this.pos] !== '}') {
      const c = this.text[this.pos];
      if (c !== '"' && c !== "'") this.fail(c === undefined ? "expected '}'" : 'expected a quoted key');
      const key = this.string();
      this.skipBlanks();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipBlanks();
      // defineProperty, as JSON.parse does: a "__proto__" key is data, not the prototype.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.afterItem('}');
    }
    this.pos++; // }
    return out;
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipBlanks();
    while (this.text[this.pos] !== ']') {
      if (this.pos >= this.text.length) this.fail("expected ']'");
      out.push(this.value(depth + 1));
      this.afterItem(']');
    }
    this.pos++; // ]
    return out;
  }

  /** After an item of an object or array: a `,` and the blanks after it, or the closing `close` (left in place). */
  private afterItem(close: '}' | ']'): void {
    this.skipBlanks();
    if (this.text[this.pos] === ',') {
      this.pos++;
      this.skipBlanks();
    } else if (this.text[this.pos] !== close) {
      this.fail(`expected ',' or '${close}'`);
    }
  }

  /** True when a `'` at `quoteAt` closes the string: only delimiters or the end follow it. */
  private closesString(quoteAt: number): boolean {
    let i = quoteAt + 1;
    while (i < this.text.length && ' \t\n\r'.includes(this.text[i] as string)) i++;
    return i >= this.text.length || ',:}]'.includes(this.text[i] as string);
  }

  private string(): string {
    const start = this.pos;
    const quote = this.text[this.pos];
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string starting', start);
      if (c === quote && (quote === '"' || this.closesString(this.pos))) {
        this.pos++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      if (e === undefined) this.fail('unterminated string starting', start);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
      } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        out += '\\'; // not an escape: the backslash is a character (C:\Users\...)
        this.pos++;
      }
    }
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (found === null) this.fail('malformed number');
    this.pos += found[0].length;
    return Number(found[0]);
  }
}

/** Parses JSON or OPI's single-quoted JSON. Throws {@link LooseJsonError}. */
export function parseLooseJson(text: string): unknown {
  return new LooseJsonParser(text).parse();
}
