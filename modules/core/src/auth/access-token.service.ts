import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
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

/** Short-lived access JWTs (HS256) with the product's issuer and audience. */
@Injectable()
export class AccessTokenService {
  private readonly secret: Uint8Array;
  readonly ttlSeconds: number;

  constructor(@Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig) {
    this.secret = resolveJwtSecret();
    this.ttlSeconds = config.auth.accessTokenTtlSeconds;
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
      .sign(this.secret);
  }

  /** Signature (HS256 only — `alg: none` and others are refused), exp, iss and aud, then the claims' shape. */
  async verify(token: string): Promise<AccessClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.secret, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch {
      throw new UnauthorizedError('Invalid or expired access token');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('Invalid or expired access token');
    return { userId: claims.data.sub, orgId: claims.data.org, roles: claims.data.roles, sessionId: claims.data.sid, tokenId: claims.data.jti, issuedAt: claims.data.iat };
  }
}
