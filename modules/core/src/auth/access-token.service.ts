import { randomUUID, webcrypto } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';
import { resolveJwtSecret } from './jwt-secret.js';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface AccessClaims {
  userId: string;
  orgId: string;
  roles: string[];
  sessionId: string;
  tokenId: string;
  issuedAt: number;
}

const claimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  roles: z.array(z.string()),
  sid: z.uuid(),
  jti: z.string().min(1),
  iat: z.number(),
});

/**
 * Short-lived access JWTs (HS256) with the product's issuer and audience.
 *
 * Verification runs on every request: the HMAC key is imported into WebCrypto once (jose would import a raw secret
 * on every call), and a token that verified is remembered until its expiry (at most a minute), so a client's
 * repeated requests cost one signature check. The cache holds exactly what verification would answer again: the
 * session and membership checks that can revoke a valid token run on every request regardless.
 */
@Injectable()
export class AccessTokenService {
  private readonly secret: Uint8Array;
  private key?: Promise<webcrypto.CryptoKey>;
  private readonly verified = new LRUCache<string, AccessClaims>({ max: 10_000, ttl: 60_000 });
  readonly ttlSeconds: number;

  constructor(@Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig) {
    this.secret = resolveJwtSecret();
    this.ttlSeconds = config.auth.accessTokenTtlSeconds;
  }

  private hmacKey(): Promise<webcrypto.CryptoKey> {
    this.key ??= webcrypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return this.key;
  }

  async sign(subject: { userId: string; orgId: string; roles: string[]; sessionId: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ org: subject.orgId, roles: subject.roles, sid: subject.sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: 'JWT' })
      .setSubject(subject.userId)
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.config.auth.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(await this.hmacKey());
  }

  /** Signature (HS256 only — `alg: none` and others are refused), exp, iss and aud, then the claims' shape. */
  async verify(token: string): Promise<AccessClaims> {
    const remembered = this.verified.get(token);
    if (remembered) return remembered;
    let payload: unknown;
    let expiresAt: number;
    try {
      ({ payload } = await jwtVerify(token, await this.hmacKey(), {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
      expiresAt = (payload as { exp: number }).exp * 1000;
    } catch {
      throw new UnauthorizedError('Invalid or expired access token');
    }
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw new UnauthorizedError('Invalid or expired access token');
    const claims = { userId: parsed.data.sub, orgId: parsed.data.org, roles: parsed.data.roles, sessionId: parsed.data.sid, tokenId: parsed.data.jti, issuedAt: parsed.data.iat };
    const ttl = Math.min(60_000, expiresAt - Date.now());
    if (ttl > 0) this.verified.set(token, claims, { ttl });
    return claims;
  }
}
