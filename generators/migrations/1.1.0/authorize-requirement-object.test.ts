import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorizeTakesObject } from '../../fixtures/core-1.1.0.js';
import { platformRoot } from '../../paths.js';
import { planNewProduct } from '../../product.js';
import { createCodemodProject } from '../codemod.js';
import { codemodsFor } from '../index.js';
import { authorizeRequirementObject } from './authorize-requirement-object.js';

/** The TypeScript sources of a product made by the real generator (examples/acme-crm.yaml), plus the owner's file. */
let generated: Map<string, string>;
const OWNER_FILE = 'src/reports/reports.controller.ts';
const OWNER = `import { applyDecorators, Controller, Get } from '@nestjs/common';
import { Authorize as Can, type AuthorizeOptions } from '../core/permissions/authorize.decorator.js';

/** The owner's own decorator that happens to be called Authorize. */
function Authorize(rule: string): MethodDecorator {
  return () => void rule;
}

const onReport: AuthorizeOptions = { param: 'reportId' };
export const CanListReports = () => applyDecorators(Can('org', 'member', { object: 'org' }));

@Controller('reports')
export class ReportsController {
  @Get(':reportId')
  @Can('task', 'view', onReport)
  get() {}

  @Get()
  @Authorize('anything')
  list() {}
}
`;

beforeAll(async () => {
  const plan = await planNewProduct({ specFile: path.join(platformRoot(), 'examples/acme-crm.yaml') });
  generated = new Map(plan.tree.listFiles('src').filter((f) => f.endsWith('.ts')).map((f) => [f, plan.tree.readText(f)!]));
  generated.set(OWNER_FILE, OWNER);
});

const DECORATOR = 'src/core/permissions/authorize.decorator.ts';

/** The product as the next kernel ships it: Authorize takes one requirement object. */
function withObjectKernel(): Map<string, string> {
  const files = new Map(generated);
  files.set(DECORATOR, authorizeTakesObject(files.get(DECORATOR)!));
  return files;
}

const run = (files: Map<string, string>) => {
  const project = createCodemodProject(files);
  const outcome = authorizeRequirementObject.implementation({ project });
  const text = (file: string) => project.getSourceFileOrThrow(`/product/${file}`).getFullText();
  return { outcome, text, project };
};

describe('core-1.1.0-authorize-requirement-object', () => {
  it('is registered for core 1.0.x → 1.1.0 and later', () => {
    expect(codemodsFor({ core: '1.0.0' }, { core: '1.1.0' })).toContain(authorizeRequirementObject);
    expect(codemodsFor({ core: '1.1.0' }, { core: '2.0.0' })).not.toContain(authorizeRequirementObject);
    expect(codemodsFor({ tasks: '1.0.0' }, { tasks: '1.1.0' })).not.toContain(authorizeRequirementObject);
  });

  it("rewrites every call of the kernel's Authorize, decorators and plain calls, aliases followed", () => {
    const { outcome, text } = run(withObjectKernel());
    expect(outcome.applicable).toBe(true);
    expect(outcome.files).toEqual(
      expect.arrayContaining([
        OWNER_FILE,
        'src/modules/tasks/tasks/tasks.controller.ts',
        'src/core/organizations/organizations.controller.ts',
        'src/core/permissions/permission.guard.spec.ts',
      ]),
    );
    const owner = text(OWNER_FILE);
    expect(owner).toContain("applyDecorators(Can({ namespace: 'org', permission: 'member', object: 'org' }))");
    expect(owner).toContain("@Can({ namespace: 'task', permission: 'view', ...onReport })");
    // Leave alone: the owner's own Authorize.
    expect(owner).toContain("@Authorize('anything')");
    const tasks = text('src/modules/tasks/tasks/tasks.controller.ts');
    expect(tasks).toContain("@Authorize({ namespace: 'task', permission: 'edit' })");
    expect(tasks).toContain("@Authorize({ namespace: 'org', permission: 'member', object: 'org' })");
    expect(tasks).not.toMatch(/@Authorize\('/);
    // Variables named like the keys become shorthand properties.
    expect(text('src/core/permissions/permission.guard.spec.ts')).toContain('Authorize({ namespace, permission, ...options })');
    // One edit per call: every `Authorize('…'` of the generated sources, the spec's call with variables, the owner's two.
    const generatedCalls = [...generated].filter(([file]) => file !== OWNER_FILE).reduce((n, [, source]) => n + (source.match(/Authorize\('/g)?.length ?? 0), 0);
    expect(generatedCalls).toBeGreaterThan(10);
    expect(outcome.edits).toBe(generatedCalls + 1 + 2);
  });

  it('is idempotent: a second run changes nothing', () => {
    const first = run(withObjectKernel());
    const after = new Map(first.project.getSourceFiles().map((s) => [s.getFilePath().slice('/product/'.length), s.getFullText()]));
    const second = run(after);
    expect(second.outcome).toMatchObject({ applicable: true, edits: 0, files: [] });
    for (const [file, text] of after) expect(second.text(file)).toBe(text);
  });

  it('leaves a product alone when Authorize still takes positional arguments (not applicable, no edits)', () => {
    const { outcome, text } = run(new Map(generated));
    expect(outcome).toMatchObject({ applicable: false, edits: 0, files: [] });
    expect(text(OWNER_FILE)).toBe(OWNER);
    expect(text('src/modules/tasks/tasks/tasks.controller.ts')).toBe(generated.get('src/modules/tasks/tasks/tasks.controller.ts'));
  });
});
