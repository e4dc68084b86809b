import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

/**
 * The whole promise in one test file: `platform new` writes a product that type-checks, builds, emits its SDK
 * and passes its own end-to-end suite against a real PostgreSQL (DATABASE_URL when set, else embedded).
 *
 * The product reuses this repository's node_modules (a symlink) instead of a second `npm install`: the generated
 * package.json pins exactly the versions installed here (templates/versions.json, checked by its own test).
 */

interface VitestJsonReport {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { name: string; status: string; assertionResults: { fullName: string; status: string }[] }[];
}

const EXAMPLE = path.join(REPO_ROOT, 'examples/acme-crm.yaml');
const productEnv = { CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };

let dir: string;

async function inProduct(command: string, args: string[]) {
  const result = await execa(command, args, { cwd: dir, env: productEnv, reject: false, all: true, stdin: 'ignore' });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.exitCode}):\n${result.all?.slice(-8000)}`);
  return result;
}

describe('a generated product (examples/acme-crm.yaml)', () => {
  beforeAll(async () => {
    dir = path.join(tempDir('platform-e2e-'), 'acme-crm');
    const run = await runCli(['new', 'acme-crm', '--spec', EXAMPLE, '--dir', dir, '--skip-install', '--yes', '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });

  it('type-checks (sources, tests and SDK), lints clean and emits an OpenAPI document that covers every route', { timeout: 300_000 }, async () => {
    await inProduct('npm', ['run', 'typecheck']);
    // After typecheck: the SDK types exist, so the type-aware rules see real types in the tests.
    await inProduct('npm', ['run', 'lint']);

    const doc = JSON.parse(readFileSync(path.join(dir, 'sdk/openapi.json'), 'utf8'));
    expect(existsSync(path.join(dir, 'sdk/schema.d.ts'))).toBe(true);
    const operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
    );
    const routes = operations.map((o) => `${o.method.toUpperCase()} ${o.route}`);
    for (const expected of [
      'POST /api/v1/auth/register',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/users/me',
      'POST /api/v1/organizations',
      'POST /api/v1/permissions/grant',
      'GET /api/v1/permissions/my-access',
      'GET /api/v1/tasks',
      'PATCH /api/v1/tasks/{id}/move',
      'PATCH /api/v1/boards/{id}/columns',
      'PATCH /api/v1/checklists/{id}/items/{itemId}',
      'GET /health/ready',
    ]) {
      expect(routes).toContain(expected);
    }
    for (const { route, method, operation } of operations) {
      const where = `${method.toUpperCase()} ${route}`;
      const responses = Object.entries<any>(operation.responses ?? {});
      expect(responses.length, `${where} documents no response`).toBeGreaterThan(0);
      const success = responses.filter(([status]) => status.startsWith('2'));
      expect(success.length, `${where} documents no success response`).toBeGreaterThan(0);
      for (const [status, response] of success) {
        if (status === '204') continue;
        expect(response.content?.['application/json']?.schema, `${where} ${status} has no schema`).toBeDefined();
      }
      if (['post', 'put', 'patch'].includes(method) && operation.requestBody) {
        expect(operation.requestBody.content?.['application/json']?.schema, `${where} body has no schema`).toBeDefined();
      }
    }
  });

  it('passes its own suite (unit + end-to-end through the SDK against PostgreSQL)', { timeout: 900_000 }, async () => {
    const reportFile = path.join(dir, '.platform/test-report.json');
    const run = await execa('npm', ['test', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`], {
      cwd: dir,
      env: productEnv,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    const report: VitestJsonReport = JSON.parse(readFileSync(reportFile, 'utf8'));
    const failed = report.testResults.flatMap((file) => file.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName));
    expect(failed, run.all?.slice(-8000)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(report.numPendingTests).toBe(0);

    // The suite must really contain the flows the kernel and the tasks module promise.
    const names = report.testResults.flatMap((file) => file.assertionResults.map((a) => a.fullName)).join('\n');
    const files = report.testResults.map((file) => path.relative(dir, file.name));
    for (const file of [
      'test/core/auth.e2e.test.ts',
      'test/core/permissions.e2e.test.ts',
      'test/core/organizations.e2e.test.ts',
      'test/core/password-reset.e2e.test.ts',
      'test/tasks/tasks.e2e.test.ts',
      'test/tasks/tasks-isolation.e2e.test.ts',
    ]) {
      expect(files).toContain(file);
    }
    expect(names).toMatch(/RLS|row-level security/i);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(100);
  });
});
