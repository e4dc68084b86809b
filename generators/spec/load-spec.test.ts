import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../errors.js';
import { parseSpec } from './load-spec.js';
import { productSpecJsonSchema } from './product-spec.js';
import { renderSpecYaml, SPEC_MODELINE } from './render-spec.js';

function specError(text: string): PlatformError {
  try {
    parseSpec(text, 'platform.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformError);
    return error as PlatformError;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseSpec', () => {
  it('accepts the example spec and applies defaults', () => {
    const text = readFileSync(path.join(import.meta.dirname, '../../examples/acme-crm.yaml'), 'utf8');
    const { spec } = parseSpec(text);
    expect(spec.name).toBe('acme-crm');
    expect(spec.modules).toEqual(['tasks']);
    expect(spec.auth.passwordPolicy).toEqual({ minLength: 12, requireUppercase: true, requireLowercase: true, requireNumber: true, requireSpecial: true });
    expect(spec.auth.bcryptRounds).toBe(12);
    expect(spec.aws?.accounts).toEqual({ dev: '111111111111', staging: '222222222222', prod: '333333333333' });
  });

  it('fills defaults for a minimal spec', () => {
    const { spec } = parseSpec('name: shop\n');
    expect(spec).toMatchObject({ name: 'shop', modules: [], features: {}, database: { provider: 'postgresql' } });
    expect(spec.auth.lockout).toEqual({ maxAttempts: 5, duration: '15m' });
  });

  it('accepts modules with submodules', () => {
    const { spec } = parseSpec('name: shop\nmodules:\n  - tasks\n  - { name: documents, submodules: [redline] }\n');
    expect(spec.modules).toEqual(['tasks', { name: 'documents', submodules: ['redline'] }]);
  });

  const bad: { title: string; yaml: string; code: string; contains: string[] }[] = [
    { title: 'empty file', yaml: '', code: 'SPEC_EMPTY', contains: ['platform.yaml:1:1', 'empty'] },
    { title: 'comments only', yaml: '# nothing here\n', code: 'SPEC_EMPTY', contains: ['platform.yaml:1:1'] },
    { title: 'YAML syntax error', yaml: 'name: acme\nmodules: [tasks\nfeatures: {}\n', code: 'SPEC_YAML_SYNTAX', contains: ['platform.yaml:3:'] },
    { title: 'bad indentation', yaml: 'name: acme\n  modules: [tasks]\n', code: 'SPEC_YAML_SYNTAX', contains: ['platform.yaml:1:7', 'YAML syntax error'] },
    { title: 'duplicate key', yaml: 'name: acme\nname: other\n', code: 'SPEC_YAML_SYNTAX', contains: ['platform.yaml:2:1'] },
    { title: 'not a mapping', yaml: '- name\n- acme\n', code: 'SPEC_INVALID', contains: ['(root)', 'platform.yaml:1:1'] },
    { title: 'missing name', yaml: 'modules: [tasks]\n', code: 'SPEC_INVALID', contains: ['name: is required', 'platform.yaml:1:1'] },
    { title: 'bad name', yaml: 'name: Acme_CRM\n', code: 'SPEC_INVALID', contains: ['name:', 'platform.yaml:1:7', 'lowercase'] },
    { title: 'wrong type (modules)', yaml: 'name: acme\nmodules: tasks\n', code: 'SPEC_INVALID', contains: ['modules:', 'expected array', 'platform.yaml:2:10'] },
    { title: 'wrong type (module entry)', yaml: 'name: acme\nmodules:\n  - tasks\n  - 42\n', code: 'SPEC_INVALID', contains: ['modules[1]', 'platform.yaml:4:5'] },
    {
      title: 'wrong type (submodule)',
      yaml: 'name: acme\nmodules:\n  - name: documents\n    submodules: [true]\n',
      code: 'SPEC_INVALID',
      contains: ['modules[0].submodules[0]', 'platform.yaml:4:18'],
    },
    {
      title: 'wrong type (nested number)',
      yaml: 'name: acme\nauth:\n  lockout:\n    maxAttempts: five\n',
      code: 'SPEC_INVALID',
      contains: ['auth.lockout.maxAttempts', 'expected number', 'platform.yaml:4:18'],
    },
    { title: 'wrong type (feature)', yaml: 'name: acme\nfeatures:\n  kanban: [1]\n', code: 'SPEC_INVALID', contains: ['features.kanban', 'platform.yaml:3:11'] },
    { title: 'bad duration', yaml: 'name: acme\nauth:\n  accessTokenTtl: 15 minutes\n', code: 'SPEC_INVALID', contains: ['auth.accessTokenTtl', 'duration', 'platform.yaml:3:19'] },
    { title: 'unknown top-level key', yaml: 'name: acme\nmodlues: [tasks]\n', code: 'SPEC_INVALID', contains: ['modlues', 'unknown key', 'platform.yaml:2:1'] },
    {
      title: 'unknown nested key',
      yaml: 'name: acme\nauth:\n  passwordPolicy:\n    minLenght: 10\n',
      code: 'SPEC_INVALID',
      contains: ['auth.passwordPolicy.minLenght', 'platform.yaml:4:5'],
    },
    { title: 'unsupported database', yaml: 'name: acme\ndatabase:\n  provider: mysql\n', code: 'SPEC_INVALID', contains: ['database.provider', 'postgresql', 'platform.yaml:3:13'] },
    {
      title: 'aws account id of 11 digits',
      yaml: 'name: acme\naws:\n  region: us-east-1\n  accounts:\n    dev: "11111111111"\n',
      code: 'SPEC_INVALID',
      contains: ['aws.accounts.dev', '12-digit', 'platform.yaml:5:10'],
    },
    {
      title: 'aws account id unquoted',
      yaml: 'name: acme\naws:\n  region: us-east-1\n  accounts:\n    prod: 111111111111\n',
      code: 'SPEC_INVALID',
      contains: ['aws.accounts.prod', 'quoted', 'platform.yaml:5:11'],
    },
    { title: 'aws without accounts', yaml: 'name: acme\naws:\n  region: us-east-1\n', code: 'SPEC_INVALID', contains: ['aws.accounts', 'platform.yaml:3:3'] },
  ];

  it.each(bad)('rejects: $title', ({ yaml, code, contains }) => {
    const error = specError(yaml);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(2);
    expect(error.location?.file).toBe('platform.yaml');
    for (const fragment of contains) expect(error.message).toContain(fragment);
  });

  it('reports every problem, each with its own location', () => {
    const error = specError('name: acme\nauth:\n  bcryptRounds: lots\nfeatures:\n  a: []\n');
    expect(error.details.map((d) => d.location?.path).sort()).toEqual(['auth.bcryptRounds', 'features.a']);
    expect(error.details.map((d) => `${d.location?.line}:${d.location?.column}`)).toEqual(expect.arrayContaining(['3:17', '5:6']));
  });
});

describe('rendered spec', () => {
  it('starts with the yaml-language-server modeline and round-trips', () => {
    const { spec } = parseSpec('name: acme-crm\nmodules: [tasks, { name: docs, submodules: [] }]\nfeatures: { kanban: true }\n');
    const text = renderSpecYaml(spec);
    expect(text.split('\n')[0]).toBe(SPEC_MODELINE);
    expect(SPEC_MODELINE).toBe('# yaml-language-server: $schema=./.platform/platform.schema.json');
    const again = parseSpec(text).spec;
    expect(renderSpecYaml(again)).toBe(text);
    expect(again.modules).toEqual(['tasks', 'docs']);
    expect(again.auth.issuer).toBe('acme-crm');
  });

  it('quotes AWS account ids so they stay strings', () => {
    const { spec } = parseSpec('name: acme\naws:\n  region: eu-west-1\n  accounts: { dev: "012345678901" }\n');
    expect(renderSpecYaml(spec)).toContain('dev: "012345678901"');
  });
});

describe('productSpecJsonSchema', () => {
  it('describes every top-level key, forbids unknown ones and keeps defaults optional', () => {
    const schema = productSpecJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual(['auth', 'aws', 'database', 'displayName', 'features', 'modules', 'name']);
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
  });
});
