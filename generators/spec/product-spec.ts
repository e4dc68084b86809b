import { z } from 'zod';

export const PRODUCT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
export const MODULE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
/** A duration such as `90s`, `15m`, `12h` or `30d`. */
export const DURATION_PATTERN = /^[1-9][0-9]*(s|m|h|d)$/;

const duration = (example: string) =>
  z
    .string({ error: `must be a duration such as "${example}" (number + s|m|h|d)` })
    .regex(DURATION_PATTERN, { error: `must be a duration such as "${example}" (number + s|m|h|d)` });

const moduleName = z
  .string({ error: 'must be a module name (string)' })
  .regex(MODULE_NAME_PATTERN, { error: 'must be a lowercase kebab-case module name' });

export const ModuleRequestSchema = z.union(
  [
    moduleName,
    z.strictObject({
      name: moduleName,
      submodules: z.array(moduleName).default([]).describe('Submodules of this module to include'),
    }),
  ],
  { error: 'must be a module name or { name, submodules: [...] }' },
);

export const PasswordPolicySchema = z.strictObject({
  minLength: z.int().min(8).max(128).default(12),
  requireUppercase: z.boolean().default(true),
  requireLowercase: z.boolean().default(true),
  requireNumber: z.boolean().default(true),
  requireSpecial: z.boolean().default(true),
});

export const AuthSpecSchema = z.strictObject({
  passwordPolicy: PasswordPolicySchema.prefault({}),
  accessTokenTtl: duration('15m').default('15m'),
  refreshTokenTtl: duration('30d').default('30d'),
  lockout: z
    .strictObject({
      maxAttempts: z.int().min(1).max(100).default(5),
      duration: duration('15m').default('15m'),
    })
    .prefault({}),
  issuer: z.string().min(1).optional().describe('JWT issuer; defaults to the product name'),
  audience: z.string().min(1).optional().describe('JWT audience; defaults to "<name>-api"'),
  bcryptRounds: z.int().min(4).max(15).default(12),
});

const awsAccountId = z
  .string({ error: 'must be a quoted 12-digit AWS account id, e.g. "111111111111"' })
  .regex(/^[0-9]{12}$/, { error: 'must be a 12-digit AWS account id, e.g. "111111111111"' });

export const AwsSpecSchema = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: 'must be an AWS region such as "us-east-1"' }),
  accounts: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'environment names are lowercase kebab-case' }), awsAccountId)
    .describe('AWS account id per environment (dev, staging, prod, ...)'),
});

export const ProductSpecSchema = z
  .strictObject({
    name: z
      .string({ error: 'is required: the product name (lowercase kebab-case)' })
      .regex(PRODUCT_NAME_PATTERN, {
        error: 'must be 3-40 characters of lowercase letters, digits and dashes, starting with a letter',
      })
      .describe('Product name: npm package name, JWT issuer default, folder name'),
    displayName: z.string().min(1).optional().describe('Human-readable name; defaults to the Title Case of name'),
    modules: z.array(ModuleRequestSchema).default([]).describe('Optional modules of the product; core is always included'),
    features: z
      .record(z.string(), z.union([z.boolean(), z.number(), z.string()], { error: 'must be a boolean, number or string' }))
      .default({})
      .describe('Feature flags of the product (boolean, number or string values), available as platformConfig.features'),
    auth: AuthSpecSchema.prefault({}).describe('Authentication options; every key has a default'),
    database: z
      .strictObject({ provider: z.literal('postgresql', { error: 'must be "postgresql" (the only provider for now)' }).default('postgresql') })
      .prefault({}),
    aws: AwsSpecSchema.optional().describe('AWS region and one account per environment, for infra/'),
  })
  .describe('platform product spec (platform.yaml)');

export type ProductSpecInput = z.input<typeof ProductSpecSchema>;
export type ProductSpec = z.output<typeof ProductSpecSchema>;
export type ModuleRequest = { name: string; submodules: string[] };

export function moduleRequests(spec: ProductSpec): ModuleRequest[] {
  return spec.modules.map((entry) => (typeof entry === 'string' ? { name: entry, submodules: [] } : entry));
}

export function defaultDisplayName(name: string): string {
  return name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function durationToSeconds(value: string): number {
  const match = DURATION_PATTERN.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[1] as 's' | 'm' | 'h' | 'd'];
  return Number.parseInt(value, 10) * unit;
}

/** JSON Schema (draft-07, what editors' YAML plugins support best) of what a user may write in platform.yaml. */
export function productSpecJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProductSpecSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'platform.yaml' };
}
