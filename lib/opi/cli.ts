/**
 * The command line: `native-ssh ssh <Method> --option value`, the OPI functions under the names
 * and options of OPI's `oint ssh` (as the README's CLI section lists them). Commander parses the command
 * line; lib/opi/cli-values.ts turns option texts into the OPI functions' arguments (single-quoted
 * JSON, `.json` files, array literals, OPI's escape sequences); this file runs the method and turns
 * the result into JSON and an exit status.
 *
 * Exit status: 0 when the result has `result: true` or the method is a builder, 1 when `result` is
 * false (or `--out` could not be written), 2 for a usage error (unknown method or option, a
 * missing or malformed value; usage errors go to stderr with the method's help), 130 when a
 * password prompt was cancelled with Ctrl-C.
 *
 * Secrets (`--pass` of the password, key and proxy methods) may come from the environment or a
 * prompt instead of the command line (lib/opi/cli-secrets.ts); `--out` files are made private (0600).
 * @packageDocumentation
 */
import fs = require('node:fs');
import path = require('node:path');

import { Command, CommanderError } from 'commander';

import { PromptCancelled, resolveSecret, type SecretSource, SECRETS } from './cli-secrets';
import { jsonObject, pathOrText, raw, stringArray, text, UsageError } from './cli-values';
import { ExecuteCommand } from './functions';
import * as opi from './settings';

/** Exit status of a usage error. */
const USAGE = 2;

// ---------------------------------------------------------------------------------------------
// Methods.

/** What a method hands back: a builder's structure or an `ExecuteCommand` result. */
type MethodResult = object;

interface OptionSpec {
  /** Long option name without dashes, as in OPI's CLI. */
  name: string;
  /** Placeholder in the usage text. */
  arg: string;
  description: string;
  required?: boolean;
  /** Appears in the help; the value passed on when the option is absent is decided by the method. */
  defaultText?: string;
  /** Collect every occurrence (array options). */
  repeatable?: boolean;
  /** A secret: when the option is absent it comes from this environment variable or a prompt. */
  secret?: SecretSource;
}

interface MethodSpec {
  name: string;
  summary: string;
  /** Builders always succeed (exit status 0). */
  builder: boolean;
  options: OptionSpec[];
  example: string;
  /** `secrets`: the secret options' values, from the command line (unescaped), the environment or a prompt. */
  run(values: Record<string, unknown>, secrets: Record<string, string | undefined>): MethodResult | Promise<MethodResult>;
}

/** How the help describes a secret option's sources. */
function secretText(description: string, source: SecretSource, asked: string): string {
  return `${description}; default: $${source.env}, else asked on a terminal ${asked}(given here, it is visible to other users in \`ps\`)`;
}

const HOST_PORT_USER: OptionSpec[] = [
  { name: 'host', arg: 'host', description: 'SSH server address', required: true },
  { name: 'port', arg: 'port', description: 'SSH server port', required: true },
  { name: 'user', arg: 'login', description: 'user name', required: true },
];

const METHODS: MethodSpec[] = [
  {
    name: 'GetConnectionConfiguration',
    summary: 'a configuration {set, proxy} for ExecuteCommand --conn (opened and closed per call)',
    builder: true,
    options: [
      { name: 'set', arg: 'json', description: 'SSH settings from a GetSettings* method: JSON, single-quoted JSON or a .json file', required: true },
      { name: 'proxy', arg: 'json', description: 'proxy settings from GetProxySettings: JSON, single-quoted JSON or a .json file' },
    ],
    example: `native-ssh ssh GetConnectionConfiguration --set "{'auth_type':'agent','host':'127.0.0.1','port':22,'username':'me'}" --out conn.json`,
    run: (v) => {
      const set = jsonObject('--set', raw(v, 'set'));
      if (set === undefined) throw new UsageError('--set: must not be empty');
      return opi.GetConnectionConfiguration(set as unknown as opi.SshSettings, jsonObject('--proxy', raw(v, 'proxy')) as opi.ProxySettings | undefined);
    },
  },
  {
    name: 'ExecuteCommand',
    summary: 'open a connection from a configuration, run a command, close',
    builder: false,
    options: [
      {
        name: 'conn',
        arg: 'json',
        description: 'connection configuration from GetConnectionConfiguration: JSON, single-quoted JSON or a .json file',
        required: true,
      },
      { name: 'comm', arg: 'command', description: 'command to run', required: true },
    ],
    example: 'native-ssh ssh ExecuteCommand --conn conn.json --comm whoami',
    run: (v) => {
      const conn = jsonObject('--conn', raw(v, 'conn'));
      if (conn === undefined) throw new UsageError('--conn: must not be empty');
      return ExecuteCommand(conn as unknown as opi.ConnectionConfiguration, text(v, 'comm') ?? '');
    },
  },
  {
    name: 'GetSettingsLoginPassword',
    summary: 'SSH settings for a password login',
    builder: true,
    options: [...HOST_PORT_USER, { name: 'pass', arg: 'password', description: secretText('password', SECRETS.password, ''), secret: SECRETS.password }],
    example: 'NATIVE_SSH_PASSWORD=secret native-ssh ssh GetSettingsLoginPassword --host 127.0.0.1 --port 22 --user me --out set.json',
    run: (v, secrets) => opi.GetSettingsLoginPassword(text(v, 'host') ?? '', text(v, 'port') ?? '', text(v, 'user') ?? '', secrets.pass ?? ''),
  },
  {
    name: 'GetSettingsPrivateKey',
    summary: 'SSH settings for a key login',
    builder: true,
    options: [
      ...HOST_PORT_USER,
      { name: 'key', arg: 'path', description: 'private key file (made absolute) or the key text', required: true },
      { name: 'pub', arg: 'path', description: 'public key file or text', defaultText: 'none' },
      {
        name: 'pass',
        arg: 'passphrase',
        description: secretText('passphrase of the private key', SECRETS.passphrase, 'when the key is encrypted '),
        secret: SECRETS.passphrase,
      },
    ],
    example: 'native-ssh ssh GetSettingsPrivateKey --host 127.0.0.1 --port 22 --user me --key ~/.ssh/id_ed25519',
    run: (v, secrets) =>
      opi.GetSettingsPrivateKey(
        text(v, 'host') ?? '',
        text(v, 'port') ?? '',
        text(v, 'user') ?? '',
        pathOrText(raw(v, 'key')) ?? '',
        pathOrText(raw(v, 'pub')) ?? '',
        secrets.pass ?? '',
      ),
  },
  {
    name: 'GetSettingsViaAgent',
    summary: 'SSH settings for an ssh-agent login (SSH_AUTH_SOCK)',
    builder: true,
    options: [...HOST_PORT_USER],
    example: 'native-ssh ssh GetSettingsViaAgent --host 127.0.0.1 --port 22 --user me',
    run: (v) => opi.GetSettingsViaAgent(text(v, 'host') ?? '', text(v, 'port') ?? '', text(v, 'user') ?? ''),
  },
  {
    name: 'GetSettingsKI',
    summary: 'SSH settings for a keyboard-interactive login',
    builder: true,
    options: [
      ...HOST_PORT_USER,
      { name: 'prompts', arg: 'answers', description: 'answers in prompt order (visible to other users in `ps`)', required: true, repeatable: true },
    ],
    example: `native-ssh ssh GetSettingsKI --host 127.0.0.1 --port 22 --user me --prompts "['123456','yes']"`,
    run: (v) =>
      opi.GetSettingsKI(
        text(v, 'host') ?? '',
        text(v, 'port') ?? '',
        text(v, 'user') ?? '',
        stringArray('--prompts', (v.prompts as string[] | undefined) ?? []),
      ),
  },
  {
    name: 'GetProxySettings',
    summary: 'proxy settings (socks5, socks4, http) for GetConnectionConfiguration --proxy',
    builder: true,
    options: [
      { name: 'addr', arg: 'address', description: 'proxy address', required: true },
      { name: 'port', arg: 'port', description: 'proxy port', required: true },
      { name: 'type', arg: 'type', description: 'socks5, socks4 or http (any case)', defaultText: 'socks5' },
      { name: 'login', arg: 'login', description: 'proxy login; an empty one is kept', defaultText: 'none' },
      {
        name: 'pass',
        arg: 'password',
        description: secretText('proxy password; an empty one is kept', SECRETS.proxyPassword, 'when --login is given '),
        secret: SECRETS.proxyPassword,
      },
    ],
    example: 'native-ssh ssh GetProxySettings --addr 127.0.0.1 --port 1080 --type socks5',
    run: (v, secrets) =>
      opi.GetProxySettings(text(v, 'addr') ?? '', text(v, 'port') ?? '', (text(v, 'type') ?? 'socks5') as opi.OpiProxyType, text(v, 'login'), secrets.pass),
  },
];

// ---------------------------------------------------------------------------------------------
// Program.

const JSON_NOTE = `JSON options (--set, --proxy, --conn) take JSON, OPI's single-quoted form
  ("{'set':{'host':'127.0.0.1','port':'22'}}"; a ' inside a value needs \\' only when
  , : } or ] follows it), or the path of a .json file.`;
const ARRAY_NOTE = `--prompts takes "['a','b']", JSON or one value; repeat it to add answers.`;
const ESCAPE_NOTE = `In plain text values \\n, \\r, \\v and \\f become control characters (not in
  JSON, arrays, an existing file path or --out).`;
const SECRET_NOTE = `Secrets: --pass on the command line is visible to other users in \`ps\`; leave it
  out and set NATIVE_SSH_PASSWORD, NATIVE_SSH_PASSPHRASE or NATIVE_SSH_PROXY_PASSWORD, or answer
  the prompt (no echo) when stdin is a terminal.`;
const OUTPUT_NOTE = `Output: the result as one line of JSON on stdout, or in the --out file (UTF-8,
created or made 0600: it may hold a password).
Exit status: 0 result true (builders always), 1 result false, 2 usage error, 130 a
  prompt cancelled (Ctrl-C).`;

const SSH_HELP = `
Option values:
  ${JSON_NOTE}
  ${ARRAY_NOTE}
  ${ESCAPE_NOTE}
  ${SECRET_NOTE}

${OUTPUT_NOTE}
Method names are case-insensitive; \`native-ssh ssh <Method> --help\` shows a method's options.`;

/** The help text after a method's options: its example and the notes that apply to it. */
function methodHelp(spec: MethodSpec): string {
  const notes = [];
  if (spec.options.some((o) => o.arg === 'json')) notes.push(JSON_NOTE);
  if (spec.options.some((o) => o.repeatable)) notes.push(ARRAY_NOTE);
  if (spec.options.some((o) => o.arg !== 'json' && !o.repeatable)) notes.push(ESCAPE_NOTE);
  if (spec.options.some((o) => o.secret !== undefined)) notes.push(SECRET_NOTE);
  return `\nExample:\n  ${spec.example}\n\nOption values:\n${notes.map((n) => `  ${n}\n`).join('')}\n${OUTPUT_NOTE}`;
}

/** `--a <x> --b <y> [--c <z>] [--out <file>]`: required options first, as OPI lists them. */
function methodUsage(spec: MethodSpec): string {
  const flag = (o: OptionSpec): string => `--${o.name} <${o.arg}>`;
  return [...spec.options.map((o) => (o.required ? flag(o) : `[${flag(o)}]`)), '[--out <file>]'].join(' ');
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const version = (pkg as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Commander reports an unknown `--name=value` with its value (a password, maybe): keep the name. */
function redact(message: string): string {
  return message.replace(/(unknown option '-{1,2}[^='\s]*)=[^\n]*?('(?: \(Did you mean [^\n]*\?\))?)$/gm, '$1=...$2');
}

interface Outcome {
  result: MethodResult;
  builder: boolean;
  out: string | undefined;
}

function configure(command: Command): Command {
  return command
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(redact(s)),
      outputError: (s, write) => write(redact(s)),
    });
}

function buildProgram(settle: (outcome: Outcome) => void): Command {
  const program = configure(new Command('native-ssh'))
    .description('A native SSH client: the OPI SSH functions on the command line.')
    .version(packageVersion(), '-V, --version', 'print the version');
  const ssh = configure(program.command('ssh')).description('OPI SSH methods (as `oint ssh`)').usage('<Method> [options]').addHelpText('after', SSH_HELP);
  for (const spec of METHODS) {
    const method = configure(ssh.command(spec.name)).description(spec.summary).usage(methodUsage(spec));
    for (const option of spec.options) {
      const flags = `--${option.name} <${option.arg}>`;
      const note = option.required ? ' (required)' : option.defaultText !== undefined ? ` (default: ${option.defaultText})` : '';
      const description = option.description + note;
      const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
      if (option.required && option.repeatable) method.requiredOption(flags, description, collect);
      else if (option.required) method.requiredOption(flags, description);
      else if (option.repeatable) method.option(flags, description, collect);
      else method.option(flags, description);
    }
    method
      .option('--out <file>', 'write the JSON result to this file (UTF-8, made 0600) instead of stdout')
      .addHelpText('after', methodHelp(spec))
      .showHelpAfterError(`Usage: native-ssh ssh ${spec.name} ${methodUsage(spec)}\n(\`native-ssh ssh ${spec.name} --help\` explains the options)`)
      .action(async (options: Record<string, unknown>, command: Command) => {
        try {
          const secrets: Record<string, string | undefined> = {};
          // The passphrase prompt looks at the key as the method will take it (file or text).
          const seen = { ...options, key: pathOrText(raw(options, 'key')) };
          for (const option of spec.options) {
            if (option.secret !== undefined) secrets[option.name] = await resolveSecret(text(options, option.name), option.secret, seen);
          }
          const result = await spec.run(options, secrets);
          settle({ result, builder: spec.builder, out: raw(options, 'out') });
        } catch (error) {
          if (error instanceof UsageError) {
            command.error(`error: ${error.message}`, { exitCode: USAGE, code: 'native-ssh.usage' });
          }
          throw error;
        }
      });
  }
  return program;
}

/** Canonical spelling of a method name given in any case (OPI's method names are case-insensitive). */
function normalizeArgs(args: readonly string[]): string[] {
  const out = [...args];
  const names = new Map(METHODS.map((m) => [m.name.toLowerCase(), m.name]));
  if (out[0]?.toLowerCase() === 'ssh') out[0] = 'ssh';
  // The words before the first option: the library, then the method (or `help <Method>`).
  for (let i = 1; i < out.length && !(out[i] as string).startsWith('-'); i++) {
    out[i] = names.get((out[i] as string).toLowerCase()) ?? (out[i] as string);
  }
  return out;
}

/**
 * Writes an `--out` file readable by its owner only: the result may hold a password. A new file
 * is created 0600; an existing regular file is made 0600 before it is truncated and written (so
 * the secret is never readable under the old mode; a file whose mode cannot be changed, e.g.
 * someone else's, is left untouched and is an error). Anything else (`/dev/stdout`, a FIFO) is
 * written as it is.
 */
function writePrivate(file: string, content: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
  try {
    if (fs.fstatSync(fd).isFile()) {
      fs.fchmodSync(fd, 0o600);
      fs.ftruncateSync(fd, 0);
    }
    fs.writeSync(fd, content, null, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function writeResult(outcome: Outcome): number {
  const json = `${JSON.stringify(outcome.result)}\n`;
  if (outcome.out !== undefined) {
    try {
      writePrivate(outcome.out, json);
    } catch (error) {
      process.stderr.write(`native-ssh: cannot write --out file ${JSON.stringify(outcome.out)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
      return 1;
    }
  } else {
    process.stdout.write(json);
  }
  const failed = !outcome.builder && (outcome.result as { result?: unknown }).result !== true;
  return failed ? 1 : 0;
}

/**
 * Runs the command line `args` (without the node and script paths), writing the result to stdout
 * (or the `--out` file) and messages to stderr.
 * @returns the exit status: 0 success, 1 `result: false`, 2 usage error.
 */
export async function main(args: readonly string[]): Promise<number> {
  let outcome: Outcome | undefined;
  const program = buildProgram((o) => {
    outcome = o;
  });
  try {
    await program.parseAsync(normalizeArgs(args), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, --version and `help <Method>` end with status 0; everything else is a usage error.
      return error.exitCode === 0 ? 0 : USAGE;
    }
    if (error instanceof PromptCancelled) {
      process.stderr.write('native-ssh: cancelled\n');
      return 130;
    }
    throw error;
  }
  return outcome === undefined ? USAGE : writeResult(outcome);
}

/** Entry point of `bin/native-ssh.js`: runs `process.argv` and sets the process's exit status. */
export function run(): void {
  // A reader that went away (`native-ssh ... --help | head -1`) is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`native-ssh: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
