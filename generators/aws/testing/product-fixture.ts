import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A product folder as `platform new` leaves it, reduced to what the account and deploy commands read. */
export const FIXTURE_SPEC = `# yaml-language-server: $schema=./.platform/platform.schema.json
# Acme CRM: the owner's notes stay where they are.
name: acme-crm
displayName: Acme CRM
modules:
  - tasks # kanban boards
features:
  enableKanban: true
database:
  provider: postgresql
`;

export function productFixture(spec = FIXTURE_SPEC, options: { infra?: boolean } = {}): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'platform-aws-')), 'acme-crm');
  mkdirSync(path.join(dir, '.platform'), { recursive: true });
  writeFileSync(path.join(dir, 'platform.yaml'), spec);
  writeFileSync(path.join(dir, '.platform/lock.json'), `${JSON.stringify({ lockVersion: 1, cliVersion: '0.1.0', templateVersion: '0.1.0', modules: {}, files: {} }, null, 2)}\n`);
  if (options.infra) {
    mkdirSync(path.join(dir, 'infra/bin'), { recursive: true });
    writeFileSync(path.join(dir, 'infra/cdk.json'), `${JSON.stringify({ app: 'npx tsx bin/cell.ts' }, null, 2)}\n`);
  }
  return dir;
}
