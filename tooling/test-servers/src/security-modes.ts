/**
 * The three ways a session gets TLS, for tests that run the same case over each of them:
 * `secure` is whether the server side listens with implicit TLS.
 */
export const SECURITY_MODES = [
  { security: 'tls', secure: true },
  { security: 'starttls', secure: false },
  { security: 'none', secure: false },
] as const satisfies ReadonlyArray<{ security: 'tls' | 'starttls' | 'none'; secure: boolean }>;
