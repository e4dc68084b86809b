import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moveIdParamToParams } from '../../fixtures/core-1.1.0.js';
import { platformRoot } from '../../paths.js';
import { planNewProduct } from '../../product.js';
import { createCodemodProject } from '../codemod.js';
import { codemodsFor } from '../index.js';
import { idParamMovedToParams } from './id-param-moved-to-params.js';

/** The TypeScript sources of a product made by the real generator (examples/acme-crm.yaml), plus the owner's files. */
let generated: Map<string, string>;
const OWNER_FILE = 'src/reports/reports.controller.ts';
const OWNER = `import { Controller, Get } from '@nestjs/common';
import { ApiResult, IdParam as Id, ValidQuery } from '../core/http/zod.js';
import type { IdParam as IdParamType } from '../core/http/zod.js';
import { IdParam } from './id-param.js';

@Controller('reports')
export class ReportsController {
  @Get(':id')
  get(@Id('id') id: string, own: typeof IdParam, kernel: typeof IdParamType) {
    return [id, own, kernel, ApiResult, ValidQuery];
  }
}
`;
const OWN_PARAM_FILE = 'src/reports/id-param.ts';
const OWN_PARAM = `/** The owner's own IdParam: same name, another module. */
export const IdParam = (name: string) => name;
`;

beforeAll(async () => {
  const plan = await planNewProduct({ specFile: path.join(platformRoot(), 'examples/acme-crm.yaml') });
  generated = new Map(plan.tree.listFiles('src').filter((f) => f.endsWith('.ts')).map((f) => [f, plan.tree.readText(f)!]));
  generated.set(OWNER_FILE, OWNER);
  generated.set(OWN_PARAM_FILE, OWN_PARAM);
});

/** The product as the next kernel ships it: IdParam lives in http/params.ts, http/zod.ts no longer exports it. */
function withMovedKernel(): Map<string, string> {
  const files = new Map(generated);
  const { zod, params } = moveIdParamToParams(files.get('src/core/http/zod.ts')!);
  files.set('src/core/http/zod.ts', zod);
  files.set('src/core/http/params.ts', params);
  return files;
}

const run = (files: Map<string, string>) => {
  const project = createCodemodProject(files);
  const outcome = idParamMovedToParams.implementation({ project });
  const text = (file: string) => project.getSourceFileOrThrow(`/product/${file}`).getFullText();
  return { outcome, text, project };
};

describe('core-1.1.0-id-param-moved-to-params', () => {
  it('is registered for core 1.0.x → 1.1.0 and later', () => {
    expect(codemodsFor({ core: '1.0.0' }, { core: '1.1.0' })).toContain(idParamMovedToParams);
    expect(codemodsFor({ core: '1.1.0' }, { core: '1.2.0' })).not.toContain(idParamMovedToParams);
    expect(codemodsFor({ tasks: '1.0.0' }, { tasks: '1.1.0' })).not.toContain(idParamMovedToParams);
  });

  it('moves every import of the kernel IdParam (generated modules and the owner file), keeping aliases and the other names', () => {
    const { outcome, text } = run(withMovedKernel());
    expect(outcome.applicable).toBe(true);
    expect(outcome.files).toEqual(
      expect.arrayContaining([OWNER_FILE, 'src/modules/tasks/tasks/tasks.controller.ts', 'src/core/organizations/organizations.controller.ts']),
    );
    const owner = text(OWNER_FILE);
    expect(owner).toContain("import { ApiResult, ValidQuery } from '../core/http/zod.js';");
    expect(owner).toContain("import { IdParam as Id } from '../core/http/params.js';");
    expect(owner).toContain("import type { IdParam as IdParamType } from '../core/http/params.js';");
    // Leave alone: the owner's own IdParam, and everything but the import lines.
    expect(owner).toContain("import { IdParam } from './id-param.js';");
    expect(owner).toContain("get(@Id('id') id: string");
    const tasks = text('src/modules/tasks/tasks/tasks.controller.ts');
    expect(tasks).toContain("import { IdParam } from '../../../core/http/params.js';");
    expect(tasks).toMatch(/import \{ ApiResult, paginatedSchema, ValidBody, ValidQuery \} from '\.\.\/\.\.\/\.\.\/core\/http\/zod\.js';/);
    expect(text(OWN_PARAM_FILE)).toBe(OWN_PARAM);
  });

  it('is idempotent: a second run changes nothing', () => {
    const first = run(withMovedKernel());
    const after = new Map(first.project.getSourceFiles().map((s) => [s.getFilePath().slice('/product/'.length), s.getFullText()]));
    const second = run(after);
    expect(second.outcome).toMatchObject({ applicable: true, edits: 0, files: [] });
    for (const [file, text] of after) expect(second.text(file)).toBe(text);
  });

  it('leaves a product alone when the kernel did not move IdParam (not applicable, no edits)', () => {
    const { outcome, text } = run(new Map(generated));
    expect(outcome).toMatchObject({ applicable: false, edits: 0, files: [] });
    expect(text(OWNER_FILE)).toBe(OWNER);
    // A kernel that adds params.ts but keeps re-exporting IdParam from zod.ts needs no rewrite either.
    const reexported = withMovedKernel();
    reexported.set('src/core/http/zod.ts', `${reexported.get('src/core/http/zod.ts')}export { IdParam } from './params.js';\n`);
    expect(run(reexported).outcome).toMatchObject({ applicable: false, edits: 0 });
  });
});
