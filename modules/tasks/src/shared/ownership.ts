import type { TenantTx } from '../../../core/database/prisma.service.js';
import type { PermissionService } from '../../../core/permissions/permission.service.js';

/**
 * The tuples every new board or task gets: it belongs to the org (so `org->admin` applies), its creator owns it,
 * and every member of the org may view it.
 */
export async function grantCreatorAccess(
  permissions: PermissionService,
  tx: TenantTx,
  namespace: 'task' | 'board',
  objectId: string,
  actor: { userId: string; orgId: string },
): Promise<void> {
  await permissions.grantAll(tx, [
    { namespace, objectId, relation: 'org', subject: { type: 'org', id: actor.orgId } },
    { namespace, objectId, relation: 'owner', subject: { type: 'user', id: actor.userId } },
    { namespace, objectId, relation: 'viewer', subject: { type: 'org', id: actor.orgId, relation: 'member' } },
  ]);
}
