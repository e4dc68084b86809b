/** Typed product configuration, generated from platform.yaml into `src/platform.config.ts`. */
export interface PasswordPolicy {
  minLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumber: boolean;
  requireSpecial: boolean;
}

export interface AuthConfig {
  passwordPolicy: PasswordPolicy;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  lockout: { maxAttempts: number; durationSeconds: number };
  issuer: string;
  audience: string;
  bcryptRounds: number;
}

export interface PlatformConfig {
  product: { name: string; displayName: string };
  auth: AuthConfig;
  features: Record<string, boolean | number | string>;
}

/** Nest injection token under which CoreModule provides the product's PlatformConfig. */
export const PLATFORM_CONFIG = Symbol.for('platform:config');
/** Nest injection token under which CoreModule provides the product's PLATFORM_MODULES. */
export const PLATFORM_MODULE_MANIFESTS = Symbol.for('platform:module-manifests');
