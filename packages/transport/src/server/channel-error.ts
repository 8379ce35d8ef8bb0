/**
 * The error every {@link ServerChannel} read, write and handshake fails with.
 */

/** Why a server-side read, write or TLS handshake ended without data. */
export class ChannelError extends Error {
  /**
   * @param reason `closed` (peer gone or handshake failed), `timeout` (the deadline passed; the
   *   socket is still open so the session can say goodbye, e.g. `421` or `-ERR`), or
   *   `line-too-long` (the command line exceeded the caller's limit).
   */
  constructor(
    readonly reason: 'closed' | 'timeout' | 'line-too-long',
    message: string,
  ) {
    super(message);
  }
}
