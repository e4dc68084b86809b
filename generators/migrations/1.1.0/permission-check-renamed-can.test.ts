import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planNewProduct } from '../../product.js';
import { platformRoot } from '../../paths.js';
import { createCodemodProject } from '../codemod.js';
import { codemodsFor } from '../index.js';
import { permissionCheckRenamedCan } from './permission-check-renamed-can.js';

/** The TypeScript sources of a product made by the real generator (examples/acme-crm.yaml), plus the owner's file. */
let generated: Map<string, string>;
const OWNER_FILE = 'src/reports/reports.service.ts';
const OWNER = `import { PermissionEngine } from '../core/permissions/permission-engine.js';
import { PermissionService } from '../core/permissions/permission.service.js';

class Gate {
  check(userId: string): boolean {
    return userId !== '';
  }
}

export class ReportsService {
  private readonly gate = new Gate();
  constructor(private readonly permissions: PermissionService, private readonly engine: PermissionEngine) {}

  async canSee(userId: string, id: string) {
    const viaService = await this.permissions.check(userId, 'view', { type: 'task', id });
    const viaEngine = await this.engine.check(userId, 'view', { type: 'task', id });
    const check = this.permissions.check.bind(this.permissions);
    return this.gate.check(userId) && viaService && viaEngine && check;
  }
}
`;

beforeAll(async () => {
  const plan = await planNewProduct({ specFile: path.join(platformRoot(), 'examples/acme-crm.yaml') });
  generated = new Map(plan.tree.listFiles('src').filter((f) => f.endsWith('.ts')).map((f) => [f, plan.tree.readText(f)!]));
  generated.set(OWNER_FILE, OWNER);
});

/** The product as the next kernel ships it: PermissionService declares can(), no longer check(). */
function withRenamedKernel(): Map<string, string> {
  const files = new Map(generated);
  const service = 'src/core/permissions/permission.service.ts';
  files.set(service, files.get(service)!.replace(/^  check\(userId: string/m, '  can(userId: string'));
  return files;
}

const run = (files: Map<string, string>) => {
  const project = createCodemodProject(files);
  const outcome = permissionCheckRenamedCan.implementation({ project });
  const text = (file: string) => project.getSourceFileOrThrow(`/product/${file}`).getFullText();
  return { outcome, text, project };
};

describe('core-1.1.0-permission-check-renamed-can', () => {
  it('is registered for core 1.0.x → 1.1.0 and later, not for other ranges or modules', () => {
    expect(codemodsFor({ core: '1.0.0' }, { core: '1.1.0' })).toContain(permissionCheckRenamedCan);
    expect(codemodsFor({ core: '1.0.3' }, { core: '1.4.0' })).toContain(permissionCheckRenamedCan);
    expect(codemodsFor({ core: '1.1.0' }, { core: '1.2.0' })).not.toContain(permissionCheckRenamedCan);
    expect(codemodsFor({ tasks: '1.0.0' }, { tasks: '1.1.0' })).not.toContain(permissionCheckRenamedCan);
  });

  it('rewrites every PermissionService.check call (generated modules and the owner file), nothing else', () => {
    const { outcome, text } = run(withRenamedKernel());
    expect(outcome.applicable).toBe(true);
    expect(outcome.files).toEqual(
      expect.arrayContaining([OWNER_FILE, 'src/modules/tasks/tasks/tasks.service.ts', 'src/core/permissions/permission.guard.ts']),
    );
    const owner = text(OWNER_FILE);
    expect(owner).toContain("await this.permissions.can(userId, 'view'");
    expect(owner).toContain('this.permissions.can.bind(this.permissions)');
    // Leave alone: same method name on other types, and the local variable named check.
    expect(owner).toContain("await this.engine.check(userId, 'view'");
    expect(owner).toContain('this.gate.check(userId)');
    expect(owner).toContain('const check = ');
    expect(text('src/modules/tasks/tasks/tasks.service.ts')).not.toMatch(/this\.permissions\.check\(/);
    // PermissionService's own delegation to the engine is a PermissionEngine call: untouched.
    expect(text('src/core/permissions/permission.service.ts')).toContain('this.engine.check(');
  });

  it('is idempotent: a second run changes nothing', () => {
    const first = run(withRenamedKernel());
    const after = new Map(first.project.getSourceFiles().map((s) => [s.getFilePath().slice('/product/'.length), s.getFullText()]));
    const second = run(after);
    expect(second.outcome).toMatchObject({ applicable: true, edits: 0, files: [] });
    for (const [file, text] of after) expect(second.text(file)).toBe(text);
  });

  it('leaves a product alone when the kernel did not rename check (not applicable, no edits)', () => {
    const { outcome, text } = run(new Map(generated));
    expect(outcome).toMatchObject({ applicable: false, edits: 0, files: [] });
    expect(text(OWNER_FILE)).toBe(OWNER);
  });
});
