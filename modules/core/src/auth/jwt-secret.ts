import { Logger } from '@nestjs/common';

/** Only for local development; refused when NODE_ENV=production. */
export const DEVELOPMENT_JWT_SECRET = 'platform-development-jwt-secret-do-not-use-in-production';
const MIN_SECRET_BYTES = 32;

/**
 * The HS256 signing key: JWT_SECRET, required (≥ 32 bytes) in production. Elsewhere a fixed development secret
 * is used with a loud warning, so `npm run dev` works out of the box.
 */
export function resolveJwtSecret(env: NodeJS.ProcessEnv = process.env, logger = new Logger('Auth')): Uint8Array {
  const secret = env.JWT_SECRET;
  if (secret) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      if (env.NODE_ENV === 'production') throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes in production`);
      logger.warn(`JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes; use a long random value (openssl rand -base64 48)`);
    }
    return new TextEncoder().encode(secret);
  }
  if (env.NODE_ENV === 'production') throw new Error('JWT_SECRET is required when NODE_ENV=production (openssl rand -base64 48)');
  logger.warn(
    '!!! JWT_SECRET is not set: signing access tokens with the built-in DEVELOPMENT secret. Anyone can forge tokens. ' +
      'Set JWT_SECRET before exposing this server. !!!',
  );
  return new TextEncoder().encode(DEVELOPMENT_JWT_SECRET);
}
