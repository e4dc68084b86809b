import type { PrismaService } from '../database/prisma.service.js';
import type { RelationTuple, TupleReader, TupleStore } from './permission-engine.js';

/** Tuples from `permission_tuples`, read in one tenant transaction: RLS shows only the scope org's tuples. */
export class PrismaTupleStore implements TupleStore {
  constructor(private readonly prisma: PrismaService) {}

  read<T>(scope: string | undefined, fn: (reader: TupleReader) => Promise<T>): Promise<T> {
    return this.prisma.tenant(
      (tx) =>
        fn({
          tuplesOf: (namespace, objectId): Promise<RelationTuple[]> =>
            tx.permissionTuple.findMany({
              where: { namespace, objectId },
              select: { namespace: true, objectId: true, relation: true, subjectNs: true, subjectId: true, subjectRel: true },
            }),
          objectIdsIn: async (namespace, limit) => {
            const rows = await tx.permissionTuple.findMany({
              where: { namespace },
              distinct: ['objectId'],
              select: { objectId: true },
              orderBy: { objectId: 'asc' },
              take: limit,
            });
            return rows.map((row) => row.objectId);
          },
        }),
      scope ? { orgId: scope } : undefined,
    );
  }
}
