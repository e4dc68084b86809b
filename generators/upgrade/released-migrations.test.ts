import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformPaths } from '../paths.js';

/**
 * A released migration has run on somebody's database: editing it would make products diverge
 * silently. `modules/<m>/migrations/RELEASED` lists every released migration with its sha256, in
 * `sha256sum` format (`cd modules/<m>/migrations && sha256sum -c RELEASED` checks it by hand).
 * Releasing a module version appends its new migrations: `sha256sum <file> >> RELEASED`.
 * Changes go in a new migration file, never in a listed one.
 */
const modulesDir = platformPaths().modulesDir;
const modules = readdirSync(modulesDir).filter((m) => existsSync(path.join(modulesDir, m, 'module.yaml')));

describe('released migrations', () => {
  it.each(modules)('modules/%s: every migration listed in RELEASED keeps its hash', (module) => {
    const dir = path.join(modulesDir, module, 'migrations');
    const released = path.join(dir, 'RELEASED');
    if (!existsSync(released)) {
      expect(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : [], `modules/${module} has migrations but no migrations/RELEASED`).toEqual([]);
      return;
    }
    const lines = readFileSync(released, 'utf8').split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const match = /^([0-9a-f]{64}) [ *](.+\.sql)$/.exec(line);
      expect(match, `malformed line in modules/${module}/migrations/RELEASED: ${line}`).not.toBeNull();
      const [, hash, file] = match!;
      const target = path.join(dir, file!);
      expect(existsSync(target), `released migration modules/${module}/migrations/${file} was deleted`).toBe(true);
      const actual = createHash('sha256').update(readFileSync(target)).digest('hex');
      expect(actual, `released migration modules/${module}/migrations/${file} was edited: add a new migration instead`).toBe(hash);
    }
  });
});
