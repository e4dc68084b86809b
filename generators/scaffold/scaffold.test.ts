import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { platformPaths, platformRoot } from '../paths.js';
import { fixturePlatform, tempDir, writeFiles } from '../fixtures/fixture-platform.js';
import { planNewProduct } from '../product.js';
import { commitNewTree } from '../tree/commit.js';
import { migrationTimestamp, planGenerateModule } from './generate-module.js';
import { moduleNames, placeholderMap, pluralize, singularize, TEMPLATE_NAMES } from './module-names.js';
import { renderModuleTemplate, renderTypeScriptTemplate } from './module-template.js';

const templateDir = path.join(platformPaths(platformRoot()).templatesDir, 'module');

describe('module names', () => {
  it('derive the resource from the module name, or take --resource', () => {
    expect(moduleNames('expense-reports').resource).toMatchObject({ namespace: 'expense_report', table: 'expense_reports', route: 'expense-reports', model: 'ExpenseReport' });
    expect(moduleNames('expense-reports').module).toMatchObject({ className: 'ExpenseReportsModule', camel: 'expenseReports' });
    expect(moduleNames('billing', 'invoice').resource).toMatchObject({ namespace: 'invoice', table: 'invoices', route: 'invoices' });
    expect(moduleNames('billing').resource).toMatchObject({ namespace: 'billing', table: 'billings' });
    expect(moduleNames('categories').resource.singular.kebab).toBe('category');
    expect(moduleNames('v2-boxes').resource.singular.pascal).toBe('V2Box');
    // Plain English rules only; irregular words take --resource.
    expect([singularize('status'), singularize('addresses'), singularize('boxes'), pluralize('status'), pluralize('day'), pluralize('entry')]).toEqual(['status', 'address', 'box', 'statuses', 'days', 'entries']);
  });

  it('refuse what cannot become identifiers, tables and routes', () => {
    for (const bad of ['Invoices', 'my_module', '-x', 'x-', 'a--b', '9lives', 'x'.repeat(41)]) {
      expect(() => moduleNames(bad), bad).toThrow(expect.objectContaining({ code: 'MODULE_NAME_INVALID', exitCode: 2 }));
    }
    expect(() => moduleNames('classes')).toThrow(/"class" is a reserved word/);
    expect(() => moduleNames('things', 'Thing')).toThrow(/Invalid resource name/);
  });

  it('map every case form of the template names to the same form of the real ones', () => {
    const map = placeholderMap(moduleNames('billing', 'invoice-line'));
    expect(Object.fromEntries(map)).toMatchObject({
      StarterKit: 'Billing',
      'sample-items': 'invoice-lines',
      sample_item: 'invoice_line',
      SAMPLE_ITEM: 'INVOICE_LINE',
      sampleItems: 'invoiceLines',
      SampleItem: 'InvoiceLine',
      'sample items': 'invoice lines',
      'Sample item': 'Invoice line',
    });
    // Every placeholder form is spelled differently, so a replacement never has to guess its context.
    expect(new Set(map.keys()).size).toBe(3 * 7);
  });
});

describe('the module template', () => {
  it('substitutes identifiers and string literals in the syntax tree, never comments', () => {
    const source = `// sampleItem stays in comments\nimport { SampleItemsService } from './sample-items/sample-items.service.js';\nexport const SAMPLE_ITEM_NAMESPACE = 'sample_item';\nconst sampleItems = \`\${'x'} sample items of \${SAMPLE_ITEM_NAMESPACE}\`;\nclass StarterKitModule { #sampleItem = new SampleItemsService(); }\n`;
    const out = renderTypeScriptTemplate(source, placeholderMap(moduleNames('billing', 'invoice')));
    expect(out).toBe(
      `// sampleItem stays in comments\nimport { InvoicesService } from './invoices/invoices.service.js';\nexport const INVOICE_NAMESPACE = 'invoice';\nconst invoices = \`\${'x'} invoices of \${INVOICE_NAMESPACE}\`;\nclass BillingModule { #invoice = new InvoicesService(); }\n`,
    );
  });

  it('renders every template file to its place in the product, with no placeholder left', async () => {
    const names = moduleNames('expense-reports');
    const files = await renderModuleTemplate(templateDir, names, '20261224120000');
    expect(files.map((f) => f.path).sort()).toEqual([
      'prisma/migrations/20261224120000_expense-reports_expense_reports.sql',
      'prisma/schema/expense-reports.prisma',
      'src/modules/expense-reports/expense-reports.module.ts',
      'src/modules/expense-reports/expense-reports/expense-report.schemas.ts',
      'src/modules/expense-reports/expense-reports/expense-reports.controller.ts',
      'src/modules/expense-reports/expense-reports/expense-reports.service.ts',
      'src/modules/expense-reports/module.yaml',
      'test/expense-reports/expense-reports.e2e.test.ts',
      'test/expense-reports/idor.fixture.ts',
    ]);
    for (const file of files) expect(file.content, file.path).not.toMatch(/sample|starter/i);
    // Every template file (but the maintainers' README) lands somewhere.
    const templates = (await fg('**/*', { cwd: templateDir })).filter((f) => f !== 'README.md');
    expect(files).toHaveLength(templates.length);
  });

  it('is itself a module named with the template names: rendering it with them changes no TypeScript', async () => {
    const files = await renderModuleTemplate(templateDir, TEMPLATE_NAMES, '20261224120000');
    for (const file of files.filter((f) => f.path.endsWith('.ts'))) {
      const relative = file.path.startsWith('test/') ? `test/${path.posix.basename(file.path)}` : `src/${file.path.split('/').slice(3).join('/')}`;
      expect(file.content, relative).toBe(readFileSync(path.join(templateDir, relative), 'utf8'));
    }
  });
});

describe('planGenerateModule', () => {
  it('names its migration after every migration of the product, even with a clock behind them', async () => {
    const paths = fixturePlatform({ 'templates/module/module.yaml.ejs': readFileSync(path.join(templateDir, 'module.yaml.ejs'), 'utf8'), 'templates/module/migrations/sample_items.sql.ejs': '-- <%= resource.table %>\n' });
    const dir = path.join(tempDir(), 'gizmo');
    await commitNewTree((await planNewProduct({ name: 'gizmo', paths })).tree, dir);
    writeFiles(dir, { 'prisma/migrations/20300101000000_core_later.sql': '' });
    const early = await planGenerateModule({ dir, name: 'notes', paths, now: new Date('2026-01-01T00:00:00Z') });
    expect(early.files).toContain('prisma/migrations/20300101000001_notes_notes.sql');
    const late = await planGenerateModule({ dir, name: 'notes', paths, now: new Date('2031-02-03T04:05:06Z') });
    expect(late.files).toContain('prisma/migrations/20310203040506_notes_notes.sql');
    expect(migrationTimestamp(new Date('2026-12-31T23:59:59.999Z'))).toBe('20261231235959');
    // Nothing was written: the plan is a Tree.
    expect(late.plan.changes.map((c) => c.path)).toContain('src/modules/notes/module.yaml');
    await expect(planGenerateModule({ dir, name: 'widgets', paths })).rejects.toMatchObject({ code: 'MODULE_EXISTS' });
  });
});
