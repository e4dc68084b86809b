import { authorizeRequirementObject } from './1.1.0/authorize-requirement-object.js';
import { idParamMovedToParams } from './1.1.0/id-param-moved-to-params.js';
import { permissionCheckRenamedCan } from './1.1.0/permission-check-renamed-can.js';
import type { Codemod } from './codemod.js';
import { compareSemver, inRange } from '../upgrade/versions.js';

export * from './codemod.js';

/**
 * The codemod registry: `generators/migrations/<version>/<name>.ts` (+ a spec and a before/after
 * `.md`). Add every new codemod here.
 */
export const CODEMODS: readonly Codemod[] = [permissionCheckRenamedCan, idParamMovedToParams, authorizeRequirementObject];

/** Codemods for modules moving from `from[m]` to `to[m]`, in version order (then module, then name). */
export function codemodsFor(from: Record<string, string>, to: Record<string, string>, registry: readonly Codemod[] = CODEMODS): Codemod[] {
  return registry
    .filter((codemod) => from[codemod.module] !== undefined && to[codemod.module] !== undefined && inRange(codemod.version, from[codemod.module]!, to[codemod.module]!))
    .sort((a, b) => compareSemver(a.version, b.version) || a.module.localeCompare(b.module) || a.name.localeCompare(b.name));
}
