/**
 * Opening the byte stream: TCP with Happy Eyeballs (RFC 8305) or a caller's socket factory,
 * bounded by the `connect` deadline and the caller's AbortSignal.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { MailError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { directReads } from './socket-reads.js';

/** RFC 8305 §5: "Connection Attempt Delay" recommended default of 250 ms. */
const ATTEMPT_DELAY_MS = 250;

/** The error every aborted operation settles with. */
export function abortedError(signal?: AbortSignal): MailError {
  return new MailError('MAIL_ABORTED', 'operation aborted', { cause: signal?.reason });
}

function connectFailed(options: ResolvedOptions, cause: unknown): MailError {
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'error';
  return new MailError('MAIL_CONNECTION_FAILED', `cannot connect to ${options.host}:${options.port} (${detail})`, {
    transient: true,
    cause,
  });
}

/** Resolves when a net.Socket that is still connecting has connected. */
function whenConnected(socket: Duplex): Promise<void> {
  if (!(socket instanceof net.Socket) || !socket.connecting) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      socket.off('connect', onConnect);
      reject(err);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

function tcp(options: ResolvedOptions): net.Socket {
  const family = options.family ?? 0;
  const reads = directReads();
  const socket = net.connect({
    onread: reads.onread,
    host: options.host,
    port: options.port,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    ...(family === 0 ? { autoSelectFamily: true, autoSelectFamilyAttemptTimeout: ATTEMPT_DELAY_MS } : { family }),
  });
  reads.bind(socket);
  return socket;
}

/**
 * Opens the connection. Rejects with `MAIL_CONNECTION_FAILED` (transient), `MAIL_TIMEOUT`
 * (phase `connect`) or `MAIL_ABORTED`; on failure nothing is left open.
 */
export async function openSocket(options: ResolvedOptions): Promise<Duplex> {
  const { signal } = options;
  if (signal?.aborted) throw abortedError(signal);
  const inner = new AbortController();
  let socket: Duplex | undefined;
  let failure: MailError | undefined;
  let fail: (error: MailError) => void = () => undefined;
  const stop = new Promise<never>((_resolve, reject) => {
    fail = (error: MailError): void => {
      failure ??= error;
      inner.abort(error);
      socket?.destroy();
      reject(failure);
    };
  });
  stop.catch(() => undefined);
  const onAbort = (): void => fail(abortedError(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    fail(new MailError('MAIL_TIMEOUT', `connecting to ${options.host}:${options.port} timed out after ${options.timeouts.connect} ms`, {
      transient: true,
      phase: 'connect',
    }));
  }, options.timeouts.connect);
  try {
    const opening = (async (): Promise<Duplex> => {
      const made = options.socketFactory
        ? await options.socketFactory({
            host: options.host,
            port: options.port,
            ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
            signal: inner.signal,
          })
        : tcp(options);
      socket = made;
      // A factory that resolves after we gave up: close what it made.
      if (failure !== undefined) made.destroy();
      await whenConnected(made);
      return made;
    })();
    opening.catch(() => undefined);
    return await Promise.race([opening, stop]);
  } catch (err) {
    socket?.destroy();
    throw MailError.is(err) ? err : connectFailed(options, err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
