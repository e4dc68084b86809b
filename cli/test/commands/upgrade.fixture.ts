import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { authorizeCallSitesToObject, authorizeTakesObject, importIdParamFromParams, moveIdParamToParams } from '../../../generators/fixtures/core-1.1.0.js';
import { tempDir } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT } from '../run-cli.js';

/** A copy of this repository's package.json, templates/ and modules/ (what PLATFORM_ROOT needs). */
export function copyPlatform(prefix = 'platform-root-'): string {
  const root = tempDir(prefix);
  const skip = (source: string) => !source.split(path.sep).includes('node_modules');
  for (const entry of ['package.json', 'templates', 'modules']) cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true, filter: skip });
  return root;
}

export function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`fixture edit changed nothing in ${file}`);
  writeFileSync(file, after);
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));

export const README_NEXT_LINE = 'Then open http://localhost:3000/api/docs (Swagger UI, try the API from the browser) or http://localhost:3000/health/ready.';
export const ENV_NEXT_LINE = 'PORT=8080';
export const MAIN_NEXT_LINE = '// platform 0.2.0: the port and host come from PORT and HOST.';
export const NEXT_MIGRATION = '20261201000000_task_labels.sql';

/**
 * The "next version" of the platform, made from a copy of the current one: CLI 0.2.0, core and tasks 1.1.0,
 * `PermissionService.check` renamed `can`, `IdParam` moved to http/params.ts and `@Authorize` taking one object
 * (kernel, every module call site and the module template), a new tasks migration, and template changes to
 * README.md, .env.example and src/main.ts.
 */
export function makeNextVersion(): string {
  const root = copyPlatform('platform-next-');
  edit(path.join(root, 'package.json'), (t) => t.replace(/"version": "[^"]+"/, '"version": "0.2.0"'));
  edit(path.join(root, 'templates/app/README.md.ejs'), (t) => t.replace(/^Then open http:\/\/localhost:3000\/api\/docs .*$/m, README_NEXT_LINE));
  edit(path.join(root, 'templates/app/.env.example'), (t) => t.replace(/^PORT=3000$/m, ENV_NEXT_LINE));
  edit(path.join(root, 'templates/app/src/main.ts'), (t) => `${t}${MAIN_NEXT_LINE}\n`);

  // Renamed kernel API, moved kernel export, changed decorator arguments (core 1.1.0) — in the kernel, and at every
  // call site of the platform's modules and of the module template.
  edit(path.join(root, 'modules/core/src/permissions/permission.service.ts'), (t) => t.replace(/^  check\(userId: string/m, '  can(userId: string'));
  edit(path.join(root, 'modules/core/src/permissions/permission.guard.spec.ts'), (t) => t.replace(/^    check: async \(/m, '    can: async ('));
  const zodFile = path.join(root, 'modules/core/src/http/zod.ts');
  const { zod, params } = moveIdParamToParams(readFileSync(zodFile, 'utf8'));
  writeFileSync(zodFile, zod);
  writeFileSync(path.join(root, 'modules/core/src/http/params.ts'), params);
  edit(path.join(root, 'modules/core/src/permissions/authorize.decorator.ts'), authorizeTakesObject);
  const sources = ['modules/core/src', 'modules/tasks/src', 'templates/module/src'].flatMap((dir) => walk(path.join(root, dir)));
  for (const file of sources) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const next = authorizeCallSitesToObject(importIdParamFromParams(text.replaceAll('this.permissions.check(', 'this.permissions.can(')));
    if (next !== text) writeFileSync(file, next);
  }

  // A new migration and minor bumps with their changelogs.
  writeFileSync(
    path.join(root, 'modules/tasks/migrations', NEXT_MIGRATION),
    '-- Up Migration\nALTER TABLE tasks ADD COLUMN IF NOT EXISTS label text;\n\n-- Down Migration\nALTER TABLE tasks DROP COLUMN IF EXISTS label;\n',
  );
  for (const [module, note] of [
    [
      'core',
      [
        '- `PermissionService.check` is now `PermissionService.can` (codemod core-1.1.0-permission-check-renamed-can rewrites your calls).',
        '- `IdParam` moved to `core/http/params.ts` (codemod core-1.1.0-id-param-moved-to-params rewrites your imports).',
        "- `@Authorize({ namespace, permission, ...options })` replaces `@Authorize(namespace, permission, options)` (codemod core-1.1.0-authorize-requirement-object).",
      ].join('\n'),
    ],
    ['tasks', '- Tasks carry an optional `label` (migration 20261201000000_task_labels).'],
  ] as const) {
    edit(path.join(root, `modules/${module}/module.yaml`), (t) => t.replace(/^version: 1\.0\.0$/m, 'version: 1.1.0'));
    edit(path.join(root, `modules/${module}/CHANGELOG.md`), (t) => t.replace('\n## 1.0.0', `\n## 1.1.0\n${note}\n\n## 1.0.0`));
  }
  return root;
}

/** The same as the next version but with a major bump of tasks. */
export function makeMajorVersion(): string {
  const root = copyPlatform('platform-major-');
  edit(path.join(root, 'modules/tasks/module.yaml'), (t) => t.replace(/^version: 1\.0\.0$/m, 'version: 2.0.0'));
  edit(path.join(root, 'modules/tasks/CHANGELOG.md'), (t) => t.replace('\n## 1.0.0', '\n## 2.0.0\n- Breaking: boards are renamed projects.\n\n## 1.0.0'));
  return root;
}
