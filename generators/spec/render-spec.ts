import { stringify } from 'yaml';
import { defaultDisplayName, type ProductSpec } from './product-spec.js';

export const SPEC_FILE = 'platform.yaml';
export const SPEC_SCHEMA_FILE = '.platform/platform.schema.json';
export const SPEC_MODELINE = `# yaml-language-server: $schema=./${SPEC_SCHEMA_FILE}`;

/** The spec as written into a product: every default spelled out, keys in a fixed order. */
export function normalizeSpec(spec: ProductSpec): Record<string, unknown> {
  return {
    name: spec.name,
    displayName: spec.displayName ?? defaultDisplayName(spec.name),
    modules: spec.modules.map((entry) =>
      typeof entry === 'string' || entry.submodules.length === 0 ? (typeof entry === 'string' ? entry : entry.name) : entry,
    ),
    features: spec.features,
    auth: {
      passwordPolicy: spec.auth.passwordPolicy,
      accessTokenTtl: spec.auth.accessTokenTtl,
      refreshTokenTtl: spec.auth.refreshTokenTtl,
      lockout: spec.auth.lockout,
      issuer: spec.auth.issuer ?? spec.name,
      audience: spec.auth.audience ?? `${spec.name}-api`,
      bcryptRounds: spec.auth.bcryptRounds,
    },
    database: spec.database,
    ...(spec.aws ? { aws: spec.aws } : {}),
  };
}

export function renderSpecYaml(spec: ProductSpec): string {
  return `${SPEC_MODELINE}\n${stringify(normalizeSpec(spec), { lineWidth: 0 })}`;
}
