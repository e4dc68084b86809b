import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { AUTHORIZE_KEY, type AuthorizeRequirement } from './authorize.decorator.js';
import { PermissionService } from './permission.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const entityName = (namespace: string) => namespace.charAt(0).toUpperCase() + namespace.slice(1).replace(/_/g, ' ');

/**
 * Enforces `@Authorize(namespace, permission)`. Runs after authentication (a global guard). A caller who cannot even
 * `view` the object gets 404, as if it did not exist; one who can see it but lacks the permission gets 403.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly permissions: PermissionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AuthorizeRequirement | undefined>(AUTHORIZE_KEY, [context.getHandler(), context.getClass()]);
    if (!requirement) return true;
    const { userId, orgId } = RequestContext.actor();
    const params = (context.switchToHttp().getRequest<FastifyRequest>().params ?? {}) as Record<string, string | undefined>;
    const objectId = requirement.object === 'org' ? orgId : params[requirement.param];
    const { namespace, permission } = requirement;
    if (!objectId) throw new NotFoundError(entityName(namespace));
    // Entities have UUID ids: a malformed one is bad input (400, as IdParam would say), not a missing object.
    if (!UUID.test(objectId)) throw new ValidationError([{ field: requirement.param, message: 'Must be a UUID' }]);
    const object = { type: namespace, id: objectId.toLowerCase() };
    if (await this.permissions.check(userId, permission, object)) return true;
    const canView = permission !== 'view' && this.permissions.has(namespace, 'view') && (await this.permissions.check(userId, 'view', object));
    if (canView) throw new ForbiddenError();
    throw new NotFoundError(entityName(namespace));
  }
}
