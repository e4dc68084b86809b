import { describe, expect, it, vi } from 'vitest';
import { DEVELOPMENT_JWT_SECRET, resolveJwtSecret } from './jwt-secret.js';

const logger = () => ({ warn: vi.fn() }) as unknown as Parameters<typeof resolveJwtSecret>[1] & { warn: ReturnType<typeof vi.fn> };
const text = (key: Uint8Array) => new TextDecoder().decode(key);

describe('resolveJwtSecret', () => {
  it('uses JWT_SECRET when set', () => {
    const secret = 'x'.repeat(48);
    const log = logger();
    expect(text(resolveJwtSecret({ JWT_SECRET: secret, NODE_ENV: 'production' }, log))).toBe(secret);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('falls back to the development secret with a loud warning outside production', () => {
    const log = logger();
    expect(text(resolveJwtSecret({ NODE_ENV: 'development' }, log))).toBe(DEVELOPMENT_JWT_SECRET);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is not set'));
  });

  it('refuses to start in production without a secret, or with a short one', () => {
    expect(() => resolveJwtSecret({ NODE_ENV: 'production' }, logger())).toThrow('JWT_SECRET is required');
    expect(() => resolveJwtSecret({ NODE_ENV: 'production', JWT_SECRET: 'short' }, logger())).toThrow('at least 32 bytes');
  });
});
