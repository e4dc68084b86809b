import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { TooManyRequestsError } from '../errors/domain-errors.js';
import { type LimitOutcome, RateLimitService } from './rate-limit.service.js';

/**
 * Global guard after authentication: counts the request per user, per tenant and per (caller, route); an
 * anonymous request counts per IP and per (IP, route). Every response carries X-RateLimit-Limit and
 * X-RateLimit-Remaining of the tightest limit; beyond any limit → 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limits: RateLimitService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const route = `${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]}`;
    if (route.startsWith('GET /health/')) return true;

    const ctx = RequestContext.find();
    const caller = ctx?.userId ? `u:${ctx.userId}` : `ip:${request.ip}`;
    const checks: Promise<LimitOutcome>[] = [this.limits.consume('endpoint', `${caller}|${route}`)];
    if (ctx?.userId) checks.push(this.limits.consume('user', ctx.userId));
    else checks.push(this.limits.consume('ip', request.ip));
    if (ctx?.orgId) checks.push(this.limits.consume('tenant', ctx.orgId));
    const outcomes = await Promise.all(checks);

    const rejected = outcomes.filter((o) => !o.allowed);
    const tightest = (rejected.length > 0 ? rejected : outcomes).reduce((a, b) =>
      a.remaining / a.limit < b.remaining / b.limit ? a : b,
    );
    void reply.header('x-ratelimit-limit', String(tightest.limit));
    void reply.header('x-ratelimit-remaining', String(Math.max(0, tightest.remaining)));
    if (rejected.length > 0) {
      const retryAfter = Math.max(1, Math.ceil(Math.max(...rejected.map((o) => o.resetMs)) / 1000));
      throw new TooManyRequestsError(retryAfter, `Too many requests (${tightest.kind} limit); retry in ${retryAfter} s`);
    }
    return true;
  }
}
