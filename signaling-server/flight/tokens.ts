import { DuetError } from '../../src/errors';
import { base64urlOf, randomBytes } from './ids';
import { TOKEN_BYTES } from './constants';

export interface Principal {
  sessionId: string;
}

/** Checks a Handshake payload (the credential) and names the session it belongs to. */
export type Authenticate = (payload: Uint8Array) => Promise<Principal> | Principal;

/** Bearer tokens issued by Handshake, each bound to one session, expiring. */
export class TokenStore {
  private readonly tokens = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  issue(principal: Principal): string {
    this.sweep();
    const token = base64urlOf(randomBytes(TOKEN_BYTES));
    this.tokens.set(token, { principal, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** The principal of an `authorization: Bearer <token>` header value. */
  verify(header: string | undefined): Principal {
    if (header === undefined || header === '') {
      throw new DuetError('UNAUTHENTICATED', 'Missing bearer token: call Handshake first and send "authorization: Bearer <token>".', { reason: 'MISSING_TOKEN' });
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const entry = m?.[1] === undefined ? undefined : this.tokens.get(m[1]);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      throw new DuetError('UNAUTHENTICATED', 'The bearer token is unknown or expired; run Handshake again.', { reason: 'BAD_TOKEN' });
    }
    return entry.principal;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, v] of this.tokens) if (v.expiresAt <= t) this.tokens.delete(k);
  }
}
