/**
 * The `mailctl` command line: argument parsing only. Command modules are imported lazily in
 * each action, so `mailctl --help` loads nothing but commander (a lone `--version` is answered
 * by bin.ts before this module is loaded).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EX, EXIT_CODE_HELP } from './exit-codes.js';
import type { CliIO } from './io.js';
import type { CommonOptions } from './options.js';
import type { CommandContext } from './context.js';
import { VERSION } from './version.js';

/** Options of `main()` beyond argv and IO. */
export interface MainOptions {
  /** The name the program was invoked as; `sendmail` (or `mailctl-sendmail`) switches to the sendmail interface. */
  argv0?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function debugLevel(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (![0, 1, 2].includes(n)) throw new InvalidArgumentError('debug level is 0, 1 or 2');
  return n;
}

/** Adds the options every command accepts. */
function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default $XDG_CONFIG_HOME/mailctl/config.toml)')
    .option('-a, --account <name>', 'account from the config file')
    .option('--server <url>', 'server URL, e.g. smtps://user@host or pop3://host:110')
    .option('-u, --user <name>', 'user name for login')
    .option('--password-env <var>', 'read the password from this environment variable')
    .addOption(new Option('--security <mode>', 'TLS: implicit tls, starttls, or none').choices(['tls', 'starttls', 'none']))
    .option('--allow-plaintext-auth', 'allow login without TLS (only with --security none)')
    .option('--ca <file>', 'trust the CA certificates in this PEM file')
    .option('--pin <sha256>', 'accept a server key with this SHA-256 SPKI pin (repeatable)', collect)
    .option('--debug [level]', 'protocol trace on stderr, secrets redacted (1 commands, 2 everything)', debugLevel)
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--timeout <seconds>', 'deadline for each network step', positiveNumber);
}

type Runner = (ctx: CommandContext, ...args: unknown[]) => Promise<number>;

/**
 * Runs the mailctl command line.
 *
 * @param argv arguments without the node binary and script path
 * @param io process boundary (stdin, stdout, stderr, env, cwd)
 * @returns the exit code (sysexits)
 */
export async function main(argv: string[], io: CliIO, options: MainOptions = {}): Promise<number> {
  let exitCode: number = EX.OK;
  const run = (load: () => Promise<{ run: Runner }>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command;
      const opts = cmd.opts<CommonOptions & Record<string, unknown>>();
      const { createPrinter } = await import('./output/printer.js');
      const printer = createPrinter(io, opts);
      try {
        const mod = await load();
        exitCode = await mod.run({ io, opts, printer }, ...args.slice(0, -1));
      } catch (error) {
        // Scripts using --json get a JSON document on stdout for failures too.
        if (printer.json && !printer.printed) {
          const { exitCodeFor } = await import('./errors.js');
          const code = (error as { code?: unknown }).code;
          printer.result({ ok: false, error: { code: typeof code === 'string' ? code : null, message: (error as Error).message, exitCode: exitCodeFor(error) } });
        }
        throw error;
      }
    };

  const asSendmail = options.argv0 !== undefined && /(^|[-_])sendmail$/.test(options.argv0);
  if (asSendmail || argv[0] === 'sendmail') {
    const rest = asSendmail ? argv : argv.slice(1);
    if (rest[0] !== '--help' && rest[0] !== '-h') {
      return guard(io, async () => (await import('./commands/sendmail.js')).runSendmail(io, rest));
    }
  }

  const program = new Command('mailctl')
    .description('Send, fetch, probe and serve mail from the command line.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText('after', `\nExamples:\n  mailctl demo\n  mailctl send --to bob@example.org --subject hi --body 'hello'\n  mailctl fetch --maildir ~/Mail/inbox --delete\n  mailctl probe smtp://mail.example.org:587 --json\n\n${EXIT_CODE_HELP}\n`);

  const { registerCommands } = await import('./commands/register.js');
  registerCommands(program, { addCommonOptions, run, collect, positiveNumber });

  return guard(io, async () => {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  });
}

/** Runs `body` and maps any error to its exit code, printing one escaped line. */
async function guard(io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EX.OK : EX.USAGE;
    const { exitCodeFor } = await import('./errors.js');
    const { describeError } = await import('./output/describe.js');
    const code = exitCodeFor(error);
    io.stderr.write(`mailctl: ${describeError(error)}\n`);
    return code;
  }
}
