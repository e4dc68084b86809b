import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { PrismaService } from '../database/prisma.service.js';

export interface ActiveMembership {
  role: string;
}

const NONE = 'none' as const;

/**
 * Is this user (still, and not deleted) a member of this org, with which role? Asked on every authenticated
 * request, so answers are cached for a few seconds; membership changes in this process clear them at once.
 */
@Injectable()
export class MembershipReader {
  private readonly cache = new LRUCache<string, ActiveMembership | typeof NONE>({
    max: 50_000,
    ttl: Number(process.env.MEMBERSHIP_CACHE_TTL_MS ?? 10_000),
  });

  constructor(private readonly prisma: PrismaService) {}

  async find(userId: string, orgId: string): Promise<ActiveMembership | undefined> {
    const key = `${userId}:${orgId}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached === NONE ? undefined : cached;
    const row = await this.prisma.tenant(
      (tx) =>
        tx.orgMember.findFirst({
          where: { orgId, userId, org: { deletedAt: null }, user: { deletedAt: null } },
          select: { role: true },
        }),
      { orgId, userId },
    );
    const membership = row ? { role: row.role } : undefined;
    this.cache.set(key, membership ?? NONE);
    return membership;
  }

  forget(userId: string, orgId?: string): void {
    if (orgId) {
      this.cache.delete(`${userId}:${orgId}`);
      return;
    }
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${userId}:`)) this.cache.delete(key);
  }
}
