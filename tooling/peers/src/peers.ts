// Start and stop the real servers from Node: free ports chosen here, the shell recipe does
// the rest and prints `export NAME='value'` lines that become a PeerInfo.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePorts } from './ports.js';
import { processAlive, sessionProcesses } from './processes.js';
import { lmtpInstalled, type PeerName, type PortName, RECIPES } from './recipes.js';

/** Peers started by this process and not stopped yet (stopped at exit as a last resort). */
const running = new Map<string, PeerInfo>();

/** A running peer; plain data, so it can pass from a vitest globalSetup to tests. */
export interface PeerInfo {
  readonly name: PeerName;
  /** The peer's temp directory (removed by stopPeer). */
  readonly dir: string;
  /** Daemon PIDs, each a session leader (postfix: master and Dovecot). */
  readonly pids: readonly number[];
  /** Listen address (127.0.0.1). */
  readonly host: string;
  /** The ports it listens on. */
  readonly ports: Readonly<Partial<Record<PortName, number>>>;
  /** PEM file of its (self-signed) certificate: trust it as the CA. */
  readonly ca?: string;
  /** Mailbox / AUTH user and password. */
  readonly user?: string;
  readonly pass?: string;
  /** Every export of the recipe (POP3_MAILDIR, PF_MAILDIR, SMTP_MAILDIR, SINK_MAILDIR, ...). */
  readonly env: Readonly<Record<string, string>>;
}

/** Options of {@link startPeer}. */
export interface StartPeerOptions {
  /** Extra environment for the recipe (e.g. `RECORDER_OPTS`, `SINK_OPTS`, `POP3_USER`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Dovecot/Postfix: also listen on Dovecot LMTP (default: when dovecot-lmtpd is installed). */
  readonly lmtp?: boolean;
  /** Attempts with fresh ports when a port was taken meanwhile (default 3). */
  readonly attempts?: number;
}

/** Why `name` cannot run on this machine, or undefined when it can. */
export function peerMissing(name: PeerName): string | undefined {
  return RECIPES[name].missing();
}

/** Whether the binaries `name` needs are installed (and, for Postfix, we are root). */
export function peerAvailable(name: PeerName): boolean {
  return peerMissing(name) === undefined;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string | Buffer): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: 60_000, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(err.message, { cause: err }), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Parse a recipe's `export NAME='value'` lines. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env;
}

function toInfo(name: PeerName, env: Record<string, string>): PeerInfo {
  const r = RECIPES[name];
  const ports: Partial<Record<PortName, number>> = {};
  for (const [port, variable] of Object.entries(r.portEnv) as [PortName, string][]) {
    const v = Number(env[variable]);
    if (v > 0) ports[port] = v;
  }
  return {
    name, env, ports,
    dir: env[r.dirVar]!,
    pids: r.pidVars.map((v) => Number(env[v])).filter((p) => p > 0),
    host: env[r.hostVar] ?? '127.0.0.1',
    ...(r.caVar && env[r.caVar] ? { ca: env[r.caVar] } : {}),
    ...(r.userVar && env[r.userVar] ? { user: env[r.userVar] } : {}),
    ...(r.passVar && env[r.passVar] ? { pass: env[r.passVar] } : {}),
  };
}

/** Start `name` on free loopback ports; rejects with the recipe's stderr on failure. */
export async function startPeer(name: PeerName, opts: StartPeerOptions = {}): Promise<PeerInfo> {
  const recipe = RECIPES[name];
  const missing = recipe.missing();
  if (missing) throw new Error(`peer ${name} is not available: ${missing}`);
  const wanted = (Object.entries(recipe.portEnv) as [PortName, string][])
    .filter(([port]) => port !== 'lmtp' || (opts.lmtp ?? lmtpInstalled()));
  let lastError: unknown;
  for (let attempt = 0; attempt < (opts.attempts ?? 3); attempt++) {
    const ports = await freePorts(wanted.length);
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    wanted.forEach(([, variable], i) => { env[variable] = String(ports[i]); });
    try {
      const { stdout } = await run('bash', [recipe.script, 'start'], env);
      const info = toInfo(name, parseExports(stdout));
      if (!info.dir || info.pids.length === 0) throw new Error(`peer ${name}: recipe printed no exports:\n${stdout}`);
      running.set(info.dir, info);
      return info;
    } catch (err) {
      lastError = err;
      const stderr = (err as { stderr?: string }).stderr ?? '';
      if (!/already in use|not ready|did not become ready/.test(stderr)) break;
    }
  }
  const e = lastError as { message?: string; stderr?: string };
  throw new Error(`peer ${name} failed to start: ${e.message ?? String(lastError)}\n${e.stderr ?? ''}`.trim());
}

/** Stop a peer by PID, wait for its processes and remove its directory. */
export async function stopPeer(peer: PeerInfo): Promise<void> {
  running.delete(peer.dir);
  await run('bash', [RECIPES[peer.name].script, 'stop', peer.dir], process.env);
  // The recipes wait for the daemon; make sure no forked child of any daemon session survived.
  for (let i = 0; i < 100 && peerProcesses(peer).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  const left = peerProcesses(peer);
  if (left.length) throw new Error(`peer ${peer.name}: processes left after stop: ${left.join(' ')}`);
  if (existsSync(peer.dir)) throw new Error(`peer ${peer.name}: directory left after stop: ${peer.dir}`);
}

/** Live processes belonging to the peer (daemons and everything in their sessions). */
export function peerProcesses(peer: PeerInfo): number[] {
  return [...new Set(peer.pids.flatMap((pid) => [...(processAlive(pid) ? [pid] : []), ...sessionProcesses(pid)]))];
}

/** Drop an RFC 5322 message into the Dovecot user's Maildir (dovecot, or postfix's Dovecot). Returns its path. */
export async function addMessage(peer: PeerInfo, message: string | Buffer, user?: string): Promise<string> {
  const dir = peer.env.POP3_DIR;
  if (!dir) throw new Error(`peer ${peer.name} has no Dovecot mailbox`);
  const args = [RECIPES.dovecot.script, 'add-message', dir, '-', ...(user ? [user] : [])];
  const { stdout } = await run('bash', args, process.env, message);
  return stdout.trim();
}

function stopAllNow(): void {
  for (const peer of running.values()) {
    spawnSync('bash', [RECIPES[peer.name].script, 'stop', peer.dir], { stdio: 'ignore', timeout: 10_000 });
  }
  running.clear();
}

process.once('exit', stopAllNow);
// Ctrl-C / kill of the test runner: stop the daemons too. When no one else handles the
// signal, re-raise it so the default (terminate) still happens.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    stopAllNow();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
