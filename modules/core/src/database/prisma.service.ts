import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { RequestContext } from '../context/request-context.js';
import { AfterCommitCallbacks } from './after-commit.js';
import { runtimeDatabaseUrl } from './database-url.js';

export type TenantTx = Prisma.TransactionClient;

export interface TenantScope {
  orgId?: string;
  userId?: string;
}

// Lets the app boot without a database (OpenAPI emission, liveness); every query then fails and /health/ready says so.
const UNCONFIGURED_URL = 'postgresql://unconfigured@127.0.0.1:1/unconfigured';

/** Prisma as the runtime role. All tenant data access goes through `tenant()`. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly logger = new Logger('PrismaService');
  private readonly afterCommitCallbacks = new AfterCommitCallbacks();

  constructor() {
    const connectionString = runtimeDatabaseUrl() ?? UNCONFIGURED_URL;
    super({
      adapter: new PrismaPg({
        connectionString,
        max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
        // A database that does not answer fails the request (503) instead of holding it forever.
        connectionTimeoutMillis: Number(process.env.DATABASE_CONNECT_TIMEOUT_MS ?? 5_000),
      }),
    });
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
    const result = await this.$transaction(
      async (tx) => {
        transaction = tx;
        this.afterCommitCallbacks.open(tx);
        await tx.$queryRaw`select set_config('app.current_org_id', ${orgId}, true), set_config('app.current_user_id', ${userId}, true)`;
        return fn(tx);
      },
      { maxWait: 10_000, timeout: 20_000 },
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

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
