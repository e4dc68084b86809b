import { describe, expect, it } from 'vitest';
import { entityTypeOf } from './audit.interceptor.js';

describe('entityTypeOf', () => {
  it.each([
    ['/api/v1/organizations', 'organization'],
    ['/api/v1/organizations/:id/members/:userId', 'organization.member'],
    ['/api/v1/tasks/:id/move', 'task.move'],
    ['/api/v1/checklists/:id/items/:itemId', 'checklist.item'],
    ['/api/v1/permissions/grant', 'permission.grant'],
    ['/api/v1/auth/logout-all', 'auth.logout_all'],
    ['/api/v1/categories', 'category'],
    ['/api/v1/address', 'address'],
  ])('%s → %s', (route, entityType) => {
    expect(entityTypeOf(route)).toBe(entityType);
  });
});
