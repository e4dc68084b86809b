import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { MembershipReader } from '../organizations/membership.reader.js';
import { AccessTokenService } from './access-token.service.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { RefreshTokenService } from './refresh-token.service.js';

const BEARER = /^Bearer ([A-Za-z0-9_\-.]+)$/;

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`. Beyond the JWT itself
 * (HS256, iss, aud, exp), the token's session must still be live (not logged out, not revoked after a reset or a
 * refresh-token reuse) and the user must still be a member of the token's org. Fills the RequestContext.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly memberships: MembershipReader,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;

    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const token = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) throw new UnauthorizedError('A Bearer access token is required');

    const claims = await this.accessTokens.verify(token);
    const [live, membership] = await Promise.all([
      this.refreshTokens.isSessionLive(claims.sessionId),
      this.memberships.find(claims.userId, claims.orgId),
    ]);
    if (!live || !membership) throw new UnauthorizedError('Invalid or expired access token');

    const request = RequestContext.current();
    request.userId = claims.userId;
    request.orgId = claims.orgId;
    request.roles = [membership.role];
    return true;
  }
}
