import { AsyncLocalStorage } from 'node:async_hooks';
import { UnauthorizedError } from '../errors/domain-errors.js';

export interface RequestContextData {
  correlationId: string;
  userId?: string;
  orgId?: string;
  roles: string[];
  ip?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/**
 * The current request's context, available anywhere below the request without passing it around.
 * The object is mutable on purpose: authentication fills userId/orgId/roles after the context is opened.
 */
export const RequestContext = {
  current(): RequestContextData {
    const data = storage.getStore();
    if (!data) throw new Error('RequestContext.current() called outside of a request');
    return data;
  },

  /** The context, or undefined outside a request (for loggers and background work). */
  find(): RequestContextData | undefined {
    return storage.getStore();
  },

  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },

  /** The authenticated caller; throws UnauthorizedError when there is none. */
  actor(): { userId: string; orgId: string } {
    const data = storage.getStore();
    if (!data?.userId || !data.orgId) throw new UnauthorizedError();
    return { userId: data.userId, orgId: data.orgId };
  },
};
