import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { RequestContext } from '../context/request-context.js';
import { AUDIT_KEY, type AuditMetadata } from './audited.decorator.js';
import { AuditService } from './audit.service.js';

const VERB: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/api/v1/organizations/:id/members/:userId` → `organization.member` */
export function entityTypeOf(routePath: string): string {
  const segments = routePath
    .replace(/^\/?api\/v\d+\//, '')
    .split('/')
    .filter((s) => s && !s.startsWith(':'));
  const singular = (s: string) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') && !s.endsWith('ss') ? s.slice(0, -1) : s);
  return segments.map((s) => singular(s.replace(/-/g, '_'))).join('.') || 'root';
}

function idOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.id === 'string') return record.id;
  for (const nested of ['user', 'data']) {
    const inner = record[nested];
    if (inner && typeof inner === 'object' && typeof (inner as Record<string, unknown>).id === 'string') return (inner as { id: string }).id;
  }
  return undefined;
}

function orgOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const org = (value as Record<string, unknown>).org;
  return org && typeof org === 'object' && typeof (org as Record<string, unknown>).id === 'string' ? (org as { id: string }).id : undefined;
}

/**
 * Records every successful mutation (POST/PUT/PATCH/DELETE) in the audit log of the caller's org: actor, action,
 * entity type and id, ip, user agent, correlation id. Public mutations (register, login, ...) are recorded in the
 * org of the session they create; those without one (forgot-password, logout) are not recorded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const verb = VERB[request.method];
    const metadata = this.reflector.getAllAndOverride<AuditMetadata | undefined>(AUDIT_KEY, [context.getHandler(), context.getClass()]);
    if (!verb || metadata?.skip) return next.handle();

    return next.handle().pipe(
      mergeMap((result: unknown) =>
        from(
          (async () => {
            const ctx = RequestContext.find();
            const orgId = ctx?.orgId ?? orgOf(result);
            if (orgId) {
              const params = (request.params ?? {}) as Record<string, string | undefined>;
              const entityType = metadata?.entityType ?? entityTypeOf(request.routeOptions?.url ?? request.url);
              const entityId = params.userId ?? params.id ?? idOf(result);
              const actorId = ctx?.userId ?? (result && typeof result === 'object' ? idOf((result as Record<string, unknown>).user) : undefined);
              await this.audit.record({
                orgId,
                actorId: actorId && UUID.test(actorId) ? actorId : null,
                action: metadata?.action ?? `${entityType}.${verb}`,
                entityType,
                entityId: entityId ?? null,
              });
            }
            return result;
          })(),
        ),
      ),
    );
  }
}
