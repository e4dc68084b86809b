import { describe, expect, it } from 'vitest';
import { createCodemodProject, moveNamedImport, positionalArgumentsToObject, renameDecoratorArgument, renameMethodCalls } from './codemod.js';

const text = (project: ReturnType<typeof createCodemodProject>, file: string) => project.getSourceFileOrThrow(`/product/${file}`).getFullText();

describe('codemod transforms', () => {
  it('moveNamedImport moves one name to its new module, keeps the others, and is idempotent', () => {
    const files = new Map([
      ['src/core/http/zod.ts', 'export const ValidBody = 1; export const IdParam = 2;\n'],
      ['src/core/http/params.ts', 'export const IdParam = 2;\n'],
      ['src/modules/x/x.controller.ts', "import { IdParam, ValidBody } from '../../core/http/zod.js';\nexport const used = [IdParam, ValidBody];\n"],
      ['src/other.ts', "import { ValidBody } from './core/http/zod.js';\nexport const v = ValidBody;\n"],
    ]);
    const project = createCodemodProject(files);
    const options = { name: 'IdParam', fromFile: 'src/core/http/zod.ts', toFile: 'src/core/http/params.ts' };
    expect(moveNamedImport(project, options)).toEqual({ files: ['src/modules/x/x.controller.ts'], edits: 1 });
    const controller = text(project, 'src/modules/x/x.controller.ts');
    expect(controller).toContain("import { ValidBody } from '../../core/http/zod.js';");
    expect(controller).toContain("import { IdParam } from '../../core/http/params.js';");
    expect(text(project, 'src/other.ts')).toBe(files.get('src/other.ts'));
    expect(moveNamedImport(project, options)).toEqual({ files: [], edits: 0 });
  });

  it('renameDecoratorArgument changes only the matching literal of the named decorator', () => {
    const files = new Map([
      [
        'src/a.ts',
        "declare function Authorize(ns: string, p: string): any;\ndeclare function Other(ns: string, p: string): any;\nexport class A {\n  @Authorize('task', 'edit') m() {}\n  @Authorize('task', 'view') n() {}\n  @Other('task', 'edit') o() {}\n}\n",
      ],
    ]);
    const project = createCodemodProject(files);
    const options = { decorator: 'Authorize', index: 1, from: 'edit', to: 'update' };
    expect(renameDecoratorArgument(project, options)).toEqual({ files: ['src/a.ts'], edits: 1 });
    const a = text(project, 'src/a.ts');
    expect(a).toContain("@Authorize('task', 'update') m()");
    expect(a).toContain("@Authorize('task', 'view') n()");
    expect(a).toContain("@Other('task', 'edit') o()");
    expect(renameDecoratorArgument(project, options).edits).toBe(0);
  });

  it('renameMethodCalls follows the type, not the name', () => {
    const files = new Map([
      ['src/s.ts', 'export class S { run(): number { return 1; } }\n'],
      ['src/t.ts', 'export class T { run(): number { return 2; } }\n'],
      ['src/u.ts', "import { S } from './s.js';\nimport { T } from './t.js';\nexport const f = (s: S, t: T, m?: S) => s.run() + t.run() + (m?.run() ?? 0);\n"],
    ]);
    const project = createCodemodProject(files);
    expect(renameMethodCalls(project, { file: 'src/s.ts', className: 'S', from: 'run', to: 'execute' })).toEqual({ files: ['src/u.ts'], edits: 2 });
    expect(text(project, 'src/u.ts')).toContain('s.execute() + t.run() + (m?.execute() ?? 0)');
  });

  it('positionalArgumentsToObject reshapes the calls of one function, found by symbol, and is idempotent', () => {
    const files = new Map([
      ['src/lib/rule.ts', 'export function Rule(options: { ns: string; perm: string; strict?: boolean }): string {\n  return options.ns;\n}\n'],
      ['src/other.ts', 'export function Rule(ns: string, perm: string): string {\n  return ns + perm;\n}\n'],
      [
        'src/use.ts',
        "import { Rule as R } from './lib/rule.js';\nimport { Rule } from './other.js';\nconst extra = { strict: true };\nconst ns = 'a';\nexport const x = [R(ns, 'b', { strict: false }), R('c', 'd', extra), R({ ns: 'e', perm: 'f' }), Rule('g', 'h')];\n",
      ],
    ]);
    const project = createCodemodProject(files);
    const options = { file: 'src/lib/rule.ts', functionName: 'Rule', names: ['ns', 'perm'] };
    expect(positionalArgumentsToObject(project, options)).toEqual({ files: ['src/use.ts'], edits: 2 });
    expect(text(project, 'src/use.ts')).toContain(
      "[R({ ns, perm: 'b', strict: false }), R({ ns: 'c', perm: 'd', ...extra }), R({ ns: 'e', perm: 'f' }), Rule('g', 'h')]",
    );
    expect(positionalArgumentsToObject(project, options)).toEqual({ files: [], edits: 0 });
  });
});
