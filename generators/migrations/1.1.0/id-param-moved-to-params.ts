import { exportsName, moveNamedImport, type Codemod } from '../codemod.js';

const FROM = 'src/core/http/zod.ts';
const TO = 'src/core/http/params.ts';

/**
 * core 1.1.0: `IdParam` (a UUID route parameter, not a zod schema) moves from `core/http/zod.ts` to
 * `core/http/params.ts`; imports of it are rewritten, every other name stays where it was imported from.
 * Applies only when the new kernel's params.ts exports IdParam and zod.ts no longer does, so shipping it ahead
 * of the move (or with a kernel that re-exports it) changes nothing.
 */
export const idParamMovedToParams: Codemod = {
  module: 'core',
  version: '1.1.0',
  name: 'core-1.1.0-id-param-moved-to-params',
  description: "IdParam: import it from core/http/params.js instead of core/http/zod.js",
  implementation({ project }) {
    if (!exportsName(project, TO, 'IdParam')) return { applicable: false, reason: `${TO} does not export IdParam in this version`, files: [], edits: 0 };
    if (exportsName(project, FROM, 'IdParam')) return { applicable: false, reason: `${FROM} still exports IdParam`, files: [], edits: 0 };
    return { applicable: true, ...moveNamedImport(project, { name: 'IdParam', fromFile: FROM, toFile: TO }) };
  },
};
