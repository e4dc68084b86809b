import { PRODUCT_ROOT, positionalArgumentsToObject, type Codemod } from '../codemod.js';

const FILE = 'src/core/permissions/authorize.decorator.ts';

/**
 * core 1.1.0: `@Authorize(namespace, permission, options?)` takes one requirement object,
 * `@Authorize({ namespace, permission, ...options })` — self-describing at the call site and extensible without
 * more positional arguments. Every call of the kernel's Authorize (found by symbol, aliases followed) is rewritten.
 * Applies only when the new kernel's Authorize really takes one object parameter with a `namespace`.
 */
export const authorizeRequirementObject: Codemod = {
  module: 'core',
  version: '1.1.0',
  name: 'core-1.1.0-authorize-requirement-object',
  description: "@Authorize('ns', 'permission', { ... }) → @Authorize({ namespace: 'ns', permission: 'permission', ... })",
  implementation({ project }) {
    const authorize = project.getSourceFile(`${PRODUCT_ROOT}/${FILE}`)?.getFunction('Authorize');
    if (!authorize) return { applicable: false, reason: `no Authorize in ${FILE}`, files: [], edits: 0 };
    const parameters = authorize.getParameters();
    if (parameters.length !== 1 || !parameters[0]!.getType().getProperty('namespace')) {
      return { applicable: false, reason: 'Authorize still takes (namespace, permission, options) in this version', files: [], edits: 0 };
    }
    return { applicable: true, ...positionalArgumentsToObject(project, { file: FILE, functionName: 'Authorize', names: ['namespace', 'permission'] }) };
  },
};
