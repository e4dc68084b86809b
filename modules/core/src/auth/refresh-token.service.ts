import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RequestContext } from '../context/request-context.js';
import { PrismaService } from '../database/prisma.service.js';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';

export interface RefreshSession {
  userId: string;
  orgId: string;
}

export interface IssuedRefreshToken {
  refreshToken: string;
  /** The session (token family); access tokens carry it as `sid` so ending the session ends them too. */
  familyId: string;
}

/**
 * Opaque refresh tokens (only their sha256 is stored), rotated on every use. Tokens of one login form a family;
 * presenting a token that was already rotated means it leaked, so the whole family is revoked.
 * Sessions are identity data, not tenant data: no RLS, reached only by token hash or user id.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger('RefreshTokenService');
  private readonly ttlMs: number;
  /** familyId → live? Asked on every authenticated request; any revocation in this process clears it. */
  private readonly liveFamilies = new LRUCache<string, boolean>({ max: 50_000, ttl: Number(process.env.SESSION_CACHE_TTL_MS ?? 10_000) });

  constructor(
    private readonly prisma: PrismaService,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.ttlMs = config.auth.refreshTokenTtlSeconds * 1000;
  }

  /** Starts a new family (a login, registration or org switch). */
  async issue(session: RefreshSession): Promise<IssuedRefreshToken> {
    const familyId = randomUUID();
    return { refreshToken: await this.create(session, familyId, randomUUID()), familyId };
  }

  /** True while the session has a token that is neither revoked nor expired. */
  async isSessionLive(familyId: string): Promise<boolean> {
    const cached = this.liveFamilies.get(familyId);
    if (cached !== undefined) return cached;
    const live = (await this.prisma.refreshToken.count({ where: { familyId, revokedAt: null, expiresAt: { gt: new Date() } } })) > 0;
    this.liveFamilies.set(familyId, live);
    return live;
  }

  /**
   * Exchanges a valid refresh token for a new one of the same family. Reuse of a rotated token revokes the family;
   * any failure is the same 401 so a caller learns nothing about the token.
   */
  async rotate(token: string): Promise<{ session: RefreshSession } & IssuedRefreshToken> {
    const current = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(token) } });
    if (!current) throw new UnauthorizedError('Invalid refresh token');
    if (current.revokedAt) {
      if (current.replacedBy) await this.revokeFamily(current.familyId, 'reuse of a rotated refresh token');
      throw new UnauthorizedError('Invalid refresh token');
    }
    if (current.expiresAt.getTime() <= Date.now()) throw new UnauthorizedError('Invalid refresh token');

    const nextId = randomUUID();
    const session = { userId: current.userId, orgId: current.orgId };
    // Claim the token and store its successor in one transaction: of concurrent refreshes with the same token only one
    // wins (the others wait on the row lock, then see it claimed), and by the time a loser revokes the family the
    // winner's new token exists, so it is revoked too.
    const refreshToken = await this.prisma.$transaction(async (tx) => {
      const claimed = await tx.refreshToken.updateMany({
        where: { id: current.id, revokedAt: null },
        data: { revokedAt: new Date(), replacedBy: nextId },
      });
      return claimed.count === 1 ? this.create(session, current.familyId, nextId, tx) : undefined;
    });
    if (!refreshToken) {
      await this.revokeFamily(current.familyId, 'concurrent reuse of a refresh token');
      throw new UnauthorizedError('Invalid refresh token');
    }
    return { session, refreshToken, familyId: current.familyId };
  }

  /** Ends the session the token belongs to (its whole family). Unknown tokens are ignored. */
  async revoke(token: string): Promise<{ userId: string } | undefined> {
    const current = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(token) } });
    if (!current) return undefined;
    await this.prisma.refreshToken.updateMany({ where: { familyId: current.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.liveFamilies.clear();
    return { userId: current.userId };
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const result = await this.prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.liveFamilies.clear();
    return result.count;
  }

  private async revokeFamily(familyId: string, reason: string): Promise<void> {
    const result = await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.liveFamilies.clear();
    this.logger.warn({ msg: 'refresh token family revoked', reason, familyId, revoked: result.count });
  }

  /** Forget cached session liveness (after revoking through another path, e.g. a password reset). */
  forgetSessions(): void {
    this.liveFamilies.clear();
  }

  private async create(
    session: RefreshSession,
    familyId: string,
    id: string,
    client: Pick<PrismaService, 'refreshToken'> = this.prisma,
  ): Promise<string> {
    const { token, hash } = newOpaqueToken();
    const context = RequestContext.find();
    await client.refreshToken.create({
      data: {
        id,
        userId: session.userId,
        orgId: session.orgId,
        familyId,
        tokenHash: hash,
        expiresAt: new Date(Date.now() + this.ttlMs),
        ip: context?.ip?.slice(0, 64),
        userAgent: context?.userAgent?.slice(0, 500),
      },
    });
    return token;
  }
}
