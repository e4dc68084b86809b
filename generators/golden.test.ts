import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from './compose/lock.js';
import { planNewProduct } from './product.js';

/**
 * Whole-output snapshot: path → sha256 of every file generated for examples/acme-crm.yaml.
 * An intended change to templates/, modules/ or the engine updates it explicitly:
 *   UPDATE_GOLDEN=1 npx vitest run generators/golden.test.ts   (or npm run test:golden:update)
 */
const root = path.join(import.meta.dirname, '..');
const goldenFile = path.join(import.meta.dirname, '__golden__', 'acme-crm.json');

describe('golden: examples/acme-crm.yaml', () => {
  it('generates exactly the recorded tree', async () => {
    const plan = await planNewProduct({ specFile: path.join(root, 'examples/acme-crm.yaml') });
    expect(plan.spec.name).toBe('acme-crm');
    expect(plan.graph.names).toContain('tasks');
    const actual = Object.fromEntries(plan.changes.map((change) => [change.path, sha256(change.content!)]));

    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(path.dirname(goldenFile), { recursive: true });
      writeFileSync(goldenFile, `${JSON.stringify(actual, null, 2)}\n`);
      return;
    }
    if (!existsSync(goldenFile)) throw new Error(`${goldenFile} is missing; create it with UPDATE_GOLDEN=1`);
    const expected = JSON.parse(readFileSync(goldenFile, 'utf8')) as Record<string, string>;
    // Paths first, so that an added or missing file is reported by name.
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    expect(actual).toEqual(expected);
  });
});
