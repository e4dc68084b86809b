import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { PermissionGuard } from './permission.guard.js';

export const AUTHORIZE_KEY = 'platform:authorize';

export interface AuthorizeOptions {
  /** Route param holding the object id (default `id`). */
  param?: string;
  /** `org`: check against the caller's current org instead of a route param. */
  object?: 'org';
}

export interface AuthorizeRequirement {
  namespace: string;
  permission: string;
  param: string;
  object?: 'org';
}

/**
 * Requires `permission` on the object `namespace:<id>`. A caller who cannot even `view` the object gets 404
 * (its existence is not revealed), otherwise 403.
 */
export function Authorize(namespace: string, permission: string, options: AuthorizeOptions = {}): MethodDecorator & ClassDecorator {
  const requirement: AuthorizeRequirement = { namespace, permission, param: options.param ?? 'id', object: options.object };
  return applyDecorators(SetMetadata(AUTHORIZE_KEY, requirement), UseGuards(PermissionGuard));
}
