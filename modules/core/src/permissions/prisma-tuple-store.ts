import type { PrismaService } from '../database/prisma.service.js';
import type { ObjectRef, RelationTuple, SubjectRef, TupleStore } from './permission-engine.js';

interface TupleRow {
  namespace: string;
  object_id: string;
  relation: string;
  subject_ns: string;
  subject_id: string;
  subject_rel: string | null;
}

/**
 * Tuples from `permission_tuples` as the runtime role: row-level security shows only the scope org's tuples.
 * A check's read is one call of `permission_reachable_tuples` (migration 20261202000000_permission_reachable), which
 * sets the tenant itself: one statement, one round trip, no transaction around it.
 */
export class PrismaTupleStore implements TupleStore {
  constructor(private readonly prisma: PrismaService) {}

  async reachable(scope: string | undefined, userId: string, objects: readonly ObjectRef[]): Promise<RelationTuple[]> {
    const namespaces = objects.map((o) => o.type);
    const ids = objects.map((o) => o.id);
    const rows = await this.prisma.$queryRaw<TupleRow[]>`
      SELECT * FROM permission_reachable_tuples(${scope ?? ''}, ${userId}, ${namespaces}::text[], ${ids}::text[])`;
    return rows.map((row) => ({
      namespace: row.namespace,
      objectId: row.object_id,
      relation: row.relation,
      subjectNs: row.subject_ns,
      subjectId: row.subject_id,
      subjectRel: row.subject_rel,
    }));
  }

  subjectSetsOf(scope: string | undefined, userId: string, usersets: readonly { namespace: string; relation: string }[]): Promise<SubjectRef[]> {
    if (usersets.length === 0) return Promise.resolve([]);
    const namespaces = usersets.map((u) => u.namespace);
    const relations = usersets.map((u) => u.relation);
    return this.prisma.tenant(
      (tx) => tx.$queryRaw<SubjectRef[]>`
        WITH RECURSIVE usersets(namespace, relation) AS MATERIALIZED (
          SELECT * FROM unnest(${namespaces}::text[], ${relations}::text[])
        ),
        sets(namespace, id, relation) AS (
          SELECT t.namespace, t.object_id, t.relation FROM permission_tuples t
           WHERE t.subject_ns = 'user' AND t.subject_id = ${userId} AND t.subject_rel IS NULL
             AND (t.namespace, t.relation) IN (SELECT namespace, relation FROM usersets)
          UNION
          SELECT t.namespace, t.object_id, t.relation
            FROM sets s JOIN permission_tuples t ON t.subject_ns = s.namespace AND t.subject_id = s.id AND t.subject_rel = s.relation
           WHERE (t.namespace, t.relation) IN (SELECT namespace, relation FROM usersets)
        )
        SELECT namespace::text, id::text, relation::text FROM sets`,
      { orgId: scope ?? '' },
    );
  }

  async objectsWithSubjects(
    scope: string | undefined,
    namespace: string,
    subjects: readonly SubjectRef[],
    options: { relation?: string; limit: number },
  ): Promise<string[]> {
    if (subjects.length === 0 || options.limit <= 0) return [];
    const rows = await this.prisma.tenant(
      // Per subject, the first ids in index order (permission_tuples_by_subject_idx), then merged: an org's admin
      // reaches every task of the org through one arrow, and only `limit` of them are wanted. A subject without a
      // relation (an object, a user) and a subject set are matched apart so that both stay index conditions; the first
      // orders by the index's columns because PostgreSQL does not treat `IS NULL` as fixing a column's order.
      (tx) => tx.$queryRaw<{ object_id: string }[]>`
        SELECT DISTINCT linked.object_id::text AS object_id
          FROM unnest(${subjects.map((s) => s.namespace)}::text[], ${subjects.map((s) => s.id)}::text[], ${subjects.map((s) => s.relation ?? '')}::text[])
               AS s(namespace, id, relation)
         CROSS JOIN LATERAL (
           (SELECT t.object_id FROM permission_tuples t
             WHERE s.relation = '' AND t.subject_ns = s.namespace AND t.subject_id = s.id AND t.subject_rel IS NULL
               AND t.namespace = ${namespace} AND (${options.relation ?? null}::text IS NULL OR t.relation = ${options.relation ?? null})
             ORDER BY t.subject_rel, t.namespace, t.object_id LIMIT ${options.limit})
           UNION ALL
           (SELECT t.object_id FROM permission_tuples t
             WHERE s.relation <> '' AND t.subject_ns = s.namespace AND t.subject_id = s.id AND t.subject_rel = s.relation
               AND t.namespace = ${namespace} AND (${options.relation ?? null}::text IS NULL OR t.relation = ${options.relation ?? null})
             ORDER BY t.object_id LIMIT ${options.limit})
         ) linked
         ORDER BY 1
         LIMIT ${options.limit}`,
      { orgId: scope ?? '' },
    );
    return rows.map((row) => row.object_id);
  }
}
