/**
 * The server side of a TLS handshake on an accepted socket, with a deadline.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { ChannelError } from './channel-error.js';

/**
 * Runs the server side of a TLS handshake on an accepted socket (implicit TLS, or after
 * STARTTLS). Rejects with a {@link ChannelError} on failure or when `deadline` passes.
 */
export async function serverHandshake(plain: Socket, context: SecureContext, deadline: number): Promise<TLSSocket> {
  plain.pause();
  const secure = new TLSSocket(plain, { isServer: true, secureContext: context });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new ChannelError('timeout', 'TLS handshake timed out')), Math.max(0, deadline - Date.now()));
    const fail = (error: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error instanceof ChannelError ? error : new ChannelError('closed', `TLS handshake failed: ${error.message}`));
    };
    const onClose = () => fail(new ChannelError('closed', 'connection closed during TLS handshake'));
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.off('error', fail);
      secure.off('close', onClose);
      resolve();
    });
    secure.once('error', fail);
    secure.once('close', onClose);
  });
  return secure;
}
