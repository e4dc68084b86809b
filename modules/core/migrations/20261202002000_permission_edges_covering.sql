-- Up Migration

-- The edges index (20261202000000_permission_reachable) carries the tuple's relation and subject, so the walk of a
-- cold check reads the edges of an object from the index alone. Without them PostgreSQL preferred an index-only scan
-- of permission_tuples_key and read every tuple of each object it passed through — all the members of every team a
-- check crossed, filtered out one by one (EXPLAIN: 123 buffers, 1.0 ms; with this index: 79 buffers, 0.3 ms).
CREATE INDEX permission_tuples_edges_covering_idx ON permission_tuples (org_id, namespace, object_id)
  INCLUDE (relation, subject_ns, subject_id, subject_rel)
  WHERE subject_ns <> 'user' OR subject_rel IS NOT NULL;
DROP INDEX permission_tuples_edges_idx;

-- Down Migration

CREATE INDEX permission_tuples_edges_idx ON permission_tuples (org_id, namespace, object_id)
  WHERE subject_ns <> 'user' OR subject_rel IS NOT NULL;
DROP INDEX IF EXISTS permission_tuples_edges_covering_idx;
