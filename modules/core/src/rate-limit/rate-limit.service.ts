import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';

/**
 * What each limiter counts, in fixed windows. `login-email`: failed logins of an email that has no account, locked
 * like an account is (the spec's lockout) so that 423 does not tell which emails have one.
 */
export type LimitKind = 'user' | 'tenant' | 'endpoint' | 'ip' | 'login-ip' | 'login-email';

export interface LimitSettings {
  points: number;
  durationSeconds: number;
}

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
};

/**
 * Limits from the environment, with defaults an interactive product never reaches:
 * RATE_LIMIT_WINDOW_SECONDS (60), RATE_LIMIT_USER_POINTS (1200 requests of one user), RATE_LIMIT_TENANT_POINTS
 * (6000 of one org), RATE_LIMIT_ENDPOINT_POINTS (300 of one caller on one route), RATE_LIMIT_IP_POINTS (600
 * unauthenticated requests of one IP), LOGIN_IP_MAX_FAILURES (20 failed logins of one IP per LOGIN_IP_WINDOW_SECONDS, 900).
 */
export function rateLimitSettings(lockout: { maxAttempts: number; durationSeconds: number } = { maxAttempts: 5, durationSeconds: 900 }): Record<LimitKind, LimitSettings> {
  const window = positive('RATE_LIMIT_WINDOW_SECONDS', 60);
  return {
    user: { points: positive('RATE_LIMIT_USER_POINTS', 1200), durationSeconds: window },
    tenant: { points: positive('RATE_LIMIT_TENANT_POINTS', 6000), durationSeconds: window },
    endpoint: { points: positive('RATE_LIMIT_ENDPOINT_POINTS', 300), durationSeconds: window },
    ip: { points: positive('RATE_LIMIT_IP_POINTS', 600), durationSeconds: window },
    'login-ip': { points: positive('LOGIN_IP_MAX_FAILURES', 20), durationSeconds: positive('LOGIN_IP_WINDOW_SECONDS', 900) },
    'login-email': { points: lockout.maxAttempts, durationSeconds: lockout.durationSeconds },
  };
}

export interface LimitOutcome {
  kind: LimitKind;
  limit: number;
  remaining: number;
  /** Milliseconds until the window of this key resets. */
  resetMs: number;
  allowed: boolean;
}

/**
 * Counters for rate limiting: in Redis when REDIS_URL is set (shared by every instance of the app), in memory
 * otherwise. A Redis outage never fails a request: each Redis limiter falls back to an in-memory one.
 */
@Injectable()
export class RateLimitService implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimitService');
  private readonly limiters: Record<LimitKind, RateLimiterAbstract>;
  readonly settings: Record<LimitKind, LimitSettings>;
  readonly backend: 'redis' | 'memory';
  private readonly redis?: Redis;

  constructor(@Optional() @Inject(PLATFORM_CONFIG) config?: PlatformConfig) {
    this.settings = rateLimitSettings(config?.auth.lockout);
    const url = process.env.REDIS_URL?.trim();
    const prefix = process.env.RATE_LIMIT_KEY_PREFIX ?? 'rl';
    if (url) {
      this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
      let lastError = 0;
      this.redis.on('error', (error: Error) => {
        // ioredis reconnects by itself; log at most every 30 s, never crash.
        if (Date.now() - lastError > 30_000) this.logger.warn({ msg: 'redis unavailable, rate limits are counted in memory', error: error.message });
        lastError = Date.now();
      });
      this.backend = 'redis';
    } else {
      this.backend = 'memory';
    }
    const make = (kind: LimitKind): RateLimiterAbstract => {
      const { points, durationSeconds } = this.settings[kind];
      const options = { points, duration: durationSeconds, keyPrefix: `${prefix}:${kind}` };
      if (!this.redis) return new RateLimiterMemory(options);
      return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.limiters = {
      user: make('user'),
      tenant: make('tenant'),
      endpoint: make('endpoint'),
      ip: make('ip'),
      'login-ip': make('login-ip'),
      'login-email': make('login-email'),
    };
  }

  /** Counts one request against `key` of `kind`. */
  async consume(kind: LimitKind, key: string): Promise<LimitOutcome> {
    const limit = this.settings[kind].points;
    try {
      const res = await this.limiters[kind].consume(key);
      return { kind, limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext, allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { kind, limit, remaining: 0, resetMs: rejection.msBeforeNext, allowed: false };
      }
      // Neither the store nor the insurance limiter answered: let the request through rather than fail it.
      this.logger.warn({ msg: 'rate limiter failed; request allowed', kind, error: String(rejection) });
      return { kind, limit, remaining: limit, resetMs: 0, allowed: true };
    }
  }

  /** Where `key` of `kind` stands, without counting anything (null when it has no count yet). */
  async peek(kind: LimitKind, key: string): Promise<LimitOutcome | null> {
    const limit = this.settings[kind].points;
    try {
      const res = await this.limiters[kind].get(key);
      if (!res) return null;
      const remaining = Math.max(0, limit - res.consumedPoints);
      return { kind, limit, remaining, resetMs: res.msBeforeNext, allowed: res.consumedPoints < limit };
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter failed; request allowed', kind, error: String(error) });
      return null;
    }
  }

  async reset(kind: LimitKind, key: string): Promise<void> {
    await this.limiters[kind].delete(key).catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
