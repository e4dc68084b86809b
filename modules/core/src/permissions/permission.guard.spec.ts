import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { RequestContext } from '../context/request-context.js';
import { Authorize, type AuthorizeOptions } from './authorize.decorator.js';
import { PermissionGuard } from './permission.guard.js';
import type { PermissionService } from './permission.service.js';

const USER = '11111111-1111-4111-8111-111111111111';
const ORG = '22222222-2222-4222-8222-222222222222';
const TASK = '33333333-3333-4333-8333-333333333333';

/** Grants exactly the listed `permission@type:id` facts. */
function permissions(...facts: string[]): PermissionService {
  return {
    check: async (_user: string, permission: string, object: { type: string; id: string }) => facts.includes(`${permission}@${object.type}:${object.id}`),
    has: (namespace: string, name: string) => name === 'view' && namespace !== 'viewless',
  } as unknown as PermissionService;
}

async function run(namespace: string, permission: string, options: AuthorizeOptions, params: Record<string, string>, service: PermissionService) {
  class Controller {
    handler(): void {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!;
  Authorize(namespace, permission, options)(Controller.prototype, 'handler', descriptor);
  const context = {
    getHandler: () => Controller.prototype.handler,
    getClass: () => Controller,
    switchToHttp: () => ({ getRequest: () => ({ params }) }),
  } as unknown as ExecutionContext;
  const guard = new PermissionGuard(new Reflector(), service);
  return RequestContext.run({ correlationId: 'c', roles: [], userId: USER, orgId: ORG }, () => guard.canActivate(context));
}

describe('PermissionGuard', () => {
  it('lets the caller through when the permission holds on the route param object', async () => {
    await expect(run('task', 'edit', {}, { id: TASK }, permissions(`edit@task:${TASK}`))).resolves.toBe(true);
  });

  it('403 when the caller can view but lacks the permission', async () => {
    await expect(run('task', 'edit', {}, { id: TASK }, permissions(`view@task:${TASK}`))).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('404 when the caller cannot even view the object (or the namespace has no view)', async () => {
    await expect(run('task', 'edit', {}, { id: TASK }, permissions())).rejects.toMatchObject({ status: 404, message: 'Task not found' });
    await expect(run('viewless', 'edit', {}, { id: TASK }, permissions())).rejects.toMatchObject({ status: 404 });
  });

  it('uses a named param, or the current org with object: org', async () => {
    await expect(run('task', 'edit', { param: 'taskId' }, { taskId: TASK }, permissions(`edit@task:${TASK}`))).resolves.toBe(true);
    await expect(run('org', 'member', { object: 'org' }, {}, permissions(`member@org:${ORG}`))).resolves.toBe(true);
  });

  it('400 for a malformed id, before any check', async () => {
    await expect(run('task', 'view', {}, { id: 'nope' }, permissions())).rejects.toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
  });
});
