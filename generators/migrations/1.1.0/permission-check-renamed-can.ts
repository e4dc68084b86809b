import { findClass, renameMethodCalls, type Codemod } from '../codemod.js';

const FILE = 'src/core/permissions/permission.service.ts';

/**
 * core 1.1.0: `PermissionService.check(userId, permission, object)` is renamed `can(...)`.
 * Applies only when the new kernel really declares `can` and no longer `check`, so shipping it ahead
 * of the rename (or a kernel that kept `check`) changes nothing.
 */
export const permissionCheckRenamedCan: Codemod = {
  module: 'core',
  version: '1.1.0',
  name: 'core-1.1.0-permission-check-renamed-can',
  description: 'PermissionService.check(...) → PermissionService.can(...)',
  implementation({ project }) {
    const service = findClass(project, FILE, 'PermissionService');
    if (!service) return { applicable: false, reason: `no PermissionService in ${FILE}`, files: [], edits: 0 };
    if (!service.getMethod('can') || service.getMethod('check')) {
      return { applicable: false, reason: 'PermissionService does not rename check to can in this version', files: [], edits: 0 };
    }
    return { applicable: true, ...renameMethodCalls(project, { file: FILE, className: 'PermissionService', from: 'check', to: 'can' }) };
  },
};
