// Real Dovecot for the integration tests: one instance per test file on free ports (via
// @mail/peers), a mailbox reset between tests, bulk delivery straight into the Maildir.
import { chownSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { inCI, peerMissing, type PeerInfo, startPeer, stopPeer } from '@mail/peers';
import { POP3, type POP3ConnectOptions } from '../src/index.js';

/** Why Dovecot cannot run here (outside CI its tests skip with this reason), or undefined. */
export const dovecotMissing: string | undefined = inCI() ? undefined : peerMissing('dovecot');
if (dovecotMissing !== undefined) console.warn(`[pop3] Dovecot tests skipped: ${dovecotMissing}`);

/** The session modes the suite runs in. */
export type Mode = 'tls' | 'starttls' | 'none';
export const MODES: readonly Mode[] = ['tls', 'starttls', 'none'];

/** Starts Dovecot for this file (beforeAll) and stops it (afterAll). */
export function useDovecot(): { readonly peer: PeerInfo } {
  const holder: { peer: PeerInfo | undefined } = { peer: undefined };
  beforeAll(async () => {
    if (dovecotMissing === undefined) holder.peer = await startPeer('dovecot');
  }, 60_000);
  afterAll(async () => {
    if (holder.peer !== undefined) await stopPeer(holder.peer);
  }, 60_000);
  return {
    get peer(): PeerInfo {
      if (holder.peer === undefined) throw new Error('Dovecot is not running');
      return holder.peer;
    },
  };
}

const maildir = (peer: PeerInfo): string => peer.env.POP3_MAILDIR!;

/** Removes every message (Dovecot rescans the Maildir on the next login). */
export function emptyMailbox(peer: PeerInfo): void {
  for (const sub of ['cur', 'new', 'tmp']) {
    const dir = join(maildir(peer), sub);
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
  }
}

let seq = 0;

/**
 * Delivers messages in order (Maildir tmp/ then rename into new/). File names sort in
 * delivery order, which is the order Dovecot numbers them in.
 */
export function deliver(peer: PeerInfo, messages: readonly (string | Buffer)[]): void {
  const [uid, gid] = readFileSync(join(peer.dir, 'mail-owner'), 'utf8').trim().split(':').map(Number);
  for (const message of messages) {
    const name = `${String(Date.now()).padStart(14, '0')}.M${String(++seq).padStart(9, '0')}P${process.pid}.test`;
    const tmp = join(maildir(peer), 'tmp', name);
    writeFileSync(tmp, message);
    chownSync(tmp, uid!, gid!);
    renameSync(tmp, join(maildir(peer), 'new', name));
  }
}

/** Number of messages in the Maildir (new + cur). */
export function stored(peer: PeerInfo): number {
  return readdirSync(join(maildir(peer), 'new')).length + readdirSync(join(maildir(peer), 'cur')).length;
}

/** Connects to Dovecot in `mode`: POP3S, STLS on the POP3 port, or plaintext (opted in). */
export function connectDovecot(peer: PeerInfo, mode: Mode, extra: Partial<POP3ConnectOptions> = {}): Promise<POP3> {
  return POP3.connect({
    host: peer.host,
    port: mode === 'tls' ? peer.ports.pop3s! : peer.ports.pop3!,
    security: mode,
    tls: { ca: readFileSync(peer.ca!) },
    allowPlaintextAuth: mode === 'none',
    timeout: 15_000,
    ...extra,
  });
}

/** Dovecot sends stored LF line endings as CRLF (RFC 1939 §3). */
export const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
