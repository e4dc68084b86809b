import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitService, rateLimitSettings } from './rate-limit.service.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('RateLimitService', () => {
  it('counts in memory without REDIS_URL and refuses beyond the limit until the window resets', async () => {
    process.env.REDIS_URL = '';
    process.env.RATE_LIMIT_ENDPOINT_POINTS = '2';
    const limits = new RateLimitService();
    expect(limits.backend).toBe('memory');
    const outcomes = [await limits.consume('endpoint', 'k'), await limits.consume('endpoint', 'k'), await limits.consume('endpoint', 'k')];
    expect(outcomes.map((o) => [o.allowed, o.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(outcomes[2]!.resetMs).toBeGreaterThan(0);
    expect((await limits.consume('endpoint', 'other')).allowed).toBe(true);
    await limits.onModuleDestroy();
  });

  it('falls back to memory when Redis is unreachable: requests are still counted, never failed', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    process.env.RATE_LIMIT_USER_POINTS = '2';
    const limits = new RateLimitService();
    expect(limits.backend).toBe('redis');
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await limits.consume('user', 'u')).allowed);
    expect(allowed).toEqual([true, true, false]);
    await limits.onModuleDestroy();
  });

  it('reads limits from the environment and rejects nonsense', () => {
    process.env.RATE_LIMIT_WINDOW_SECONDS = '10';
    process.env.LOGIN_IP_MAX_FAILURES = '7';
    const settings = rateLimitSettings();
    expect(settings.user).toEqual({ points: 1200, durationSeconds: 10 });
    expect(settings['login-ip'].points).toBe(7);
    process.env.RATE_LIMIT_TENANT_POINTS = '-3';
    expect(() => rateLimitSettings()).toThrow(/RATE_LIMIT_TENANT_POINTS/);
  });
});
