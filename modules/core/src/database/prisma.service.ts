import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { RequestContext } from '../context/request-context.js';
import { AfterCommitCallbacks } from './after-commit.js';
import { runtimeDatabaseUrl } from './database-url.js';

export type TenantTx = Prisma.TransactionClient;

export interface TenantScope {
  orgId?: string;
  userId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant of a transaction being opened by tenant(); `applied` once its BEGIN carried the context. */
interface OpeningTenant {
  orgId: string;
  userId: string;
  applied: boolean;
}

/**
 * Sets the tenant context in the same round trip as BEGIN. Prisma's pg adapter opens an interactive transaction
 * with a bare `BEGIN` on the connection it checked out; when tenant() is opening one, that statement is sent as
 * `BEGIN; SELECT set_config(...)` (simple protocol, one round trip) instead of BEGIN followed by a set_config
 * query. Only UUIDs (or nothing) are ever inlined. Anything else — another BEGIN, an id that is not a UUID — goes
 * through unchanged, and tenant() then sets the context with a parameterized query as before: when this does not
 * apply, tenancy still holds, it only costs the extra round trip.
 */
function foldTenantIntoBegin(pool: pg.Pool, opening: AsyncLocalStorage<OpeningTenant>): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      const tenant = opening.getStore();
      if (tenant && !tenant.applied && isBareBegin(config) && isUuidOrEmpty(tenant.orgId) && isUuidOrEmpty(tenant.userId)) {
        tenant.applied = true;
        const text = `BEGIN; SELECT set_config('app.current_org_id', '${tenant.orgId}', true), set_config('app.current_user_id', '${tenant.userId}', true)`;
        return query({ ...(config as object), text }, ...rest);
      }
      return query(config, ...rest);
    };
  });
}

const isBareBegin = (config: unknown) =>
  typeof config === 'object' && config !== null && (config as pg.QueryConfig).text === 'BEGIN' && !(config as pg.QueryConfig).name && !(config as pg.QueryConfig).values?.length;
const isUuidOrEmpty = (value: string) => value === '' || UUID.test(value);

// Lets the app boot without a database (OpenAPI emission, liveness); every query then fails and /health/ready says so.
const UNCONFIGURED_URL = 'postgresql://unconfigured@127.0.0.1:1/unconfigured';

/** Prisma as the runtime role. All tenant data access goes through `tenant()`. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly logger = new Logger('PrismaService');
  private readonly afterCommitCallbacks = new AfterCommitCallbacks();
  private readonly opening = new AsyncLocalStorage<OpeningTenant>();

  constructor() {
    const connectionString = runtimeDatabaseUrl() ?? UNCONFIGURED_URL;
    const pool = new pg.Pool({
      connectionString,
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
      // A database that does not answer fails the request (503) instead of holding it forever.
      connectionTimeoutMillis: Number(process.env.DATABASE_CONNECT_TIMEOUT_MS ?? 5_000),
    });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    foldTenantIntoBegin(pool, this.opening);
    if (connectionString === UNCONFIGURED_URL) this.logger.warn('Neither APP_DATABASE_URL nor DATABASE_URL is set');
  }

  /**
   * Runs `fn` in one transaction in which PostgreSQL's row-level security sees the tenant:
   * `app.current_org_id` / `app.current_user_id` are set transaction-locally (from the request context unless
   * `scope` says otherwise). Without an org no tenant row is visible or writable.
   */
  async tenant<T>(fn: (tx: TenantTx) => Promise<T>, scope?: TenantScope): Promise<T> {
    const context = RequestContext.find();
    const orgId = scope?.orgId ?? context?.orgId ?? '';
    const userId = scope?.userId ?? context?.userId ?? '';
    let transaction: object | undefined;
    const opening: OpeningTenant = { orgId, userId, applied: false };
    const result = await this.opening.run(opening, () =>
      this.$transaction(
        async (tx) => {
          transaction = tx;
          this.afterCommitCallbacks.open(tx);
          if (!opening.applied) {
            await tx.$queryRaw`select set_config('app.current_org_id', ${orgId}, true), set_config('app.current_user_id', ${userId}, true)`;
          }
          // Queries inside fn run with this store too; it must not touch a BEGIN they might open.
          opening.applied = true;
          return fn(tx);
        },
        { maxWait: 10_000, timeout: 20_000 },
      ),
    ).catch((error: unknown) => {
      if (transaction) this.afterCommitCallbacks.take(transaction);
      throw error;
    });
    for (const callback of this.afterCommitCallbacks.take(transaction!)) {
      try {
        callback();
      } catch (error) {
        this.logger.error(error instanceof Error ? error : { msg: String(error) });
      }
    }
    return result;
  }

  /** Runs `callback` after the tenant() transaction `tx` commits; false when `tx` is not one (nothing scheduled). */
  afterCommit(tx: TenantTx, callback: () => void): boolean {
    return this.afterCommitCallbacks.add(tx, callback);
  }

  /** Readiness probe: one round trip as the runtime role. */
  async ping(): Promise<void> {
    await this.$queryRaw`select 1`;
  }

  /**
   * Last: Nest runs onModuleDestroy before the HTTP server stops taking and finishing requests, and closing the pool
   * there failed every in-flight request that needed another connection (503) — and lost its audit entry.
   * onApplicationShutdown runs once the server is closed.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
