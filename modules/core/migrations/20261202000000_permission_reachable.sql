-- Up Migration

-- A cold permission check in one round trip. The PermissionEngine walks the namespace rules in memory; what it
-- needs from the database is the part of the tuple graph the walk can reach from the checked object: the tuples of
-- every object reachable through tuples whose subject is an object or a subject set (arrows such as task#org@org:o,
-- usersets such as org#admin@team:t#member), minus other users' direct tuples (an org's members are many; only the
-- checked user's own ones can matter). UNION keeps each object once, so cycles end and nothing is read twice.
--
-- Two indexes serve it and the engine's lookups: the edges (tuples whose subject is an object or a subject set: few
-- next to direct user grants) by object, and tuples by their exact subject (`org:o` and `org:o#admin` apart: an org
-- is the arrow target of every task while few tuples name `org:o#admin`), then by object.
CREATE INDEX permission_tuples_edges_idx ON permission_tuples (org_id, namespace, object_id)
  WHERE subject_ns <> 'user' OR subject_rel IS NOT NULL;
CREATE INDEX permission_tuples_by_subject_idx ON permission_tuples (org_id, subject_ns, subject_id, subject_rel, namespace, object_id);
-- A prefix of the one above.
DROP INDEX permission_tuples_subject_idx;

-- The function sets the tenant itself (transaction-local, restored before it returns) so that a check is a single
-- statement with no BEGIN/COMMIT around it. It runs with the caller's rights (SECURITY INVOKER, the default): the
-- runtime role stays subject to row-level security, which shows the tuples of p_org_id and nothing else.
CREATE FUNCTION permission_reachable_tuples(p_org_id text, p_user_id text, p_namespaces text[], p_object_ids text[])
RETURNS TABLE (namespace text, object_id text, relation text, subject_ns text, subject_id text, subject_rel text)
LANGUAGE plpgsql
VOLATILE
SET search_path = public, pg_temp
-- The recursive CTE is estimated at thousands of rows, which would make PostgreSQL JIT-compile a sub-millisecond query.
SET jit = off
AS $$
DECLARE
  previous_org text := current_setting('app.current_org_id', true);
BEGIN
  PERFORM set_config('app.current_org_id', coalesce(p_org_id, ''), true);
  RETURN QUERY
    WITH RECURSIVE reach(namespace, object_id) AS (
      SELECT start.namespace::varchar, start.object_id::varchar
        FROM unnest(p_namespaces, p_object_ids) AS start(namespace, object_id)
      UNION
      SELECT t.subject_ns, t.subject_id
        FROM reach r
        JOIN permission_tuples t ON t.namespace = r.namespace AND t.object_id = r.object_id
       WHERE t.subject_ns <> 'user'
    )
    SELECT t.namespace::text, t.object_id::text, t.relation::text, t.subject_ns::text, t.subject_id::text, t.subject_rel::text
      FROM reach r
      JOIN permission_tuples t ON t.namespace = r.namespace AND t.object_id = r.object_id
     WHERE t.subject_ns <> 'user' OR t.subject_rel IS NOT NULL
    UNION ALL
    SELECT t.namespace::text, t.object_id::text, t.relation::text, t.subject_ns::text, t.subject_id::text, t.subject_rel::text
      FROM reach r
      JOIN permission_tuples t ON t.namespace = r.namespace AND t.object_id = r.object_id
     WHERE t.subject_ns = 'user' AND t.subject_id = p_user_id AND t.subject_rel IS NULL;
  PERFORM set_config('app.current_org_id', coalesce(previous_org, ''), true);
END;
$$;

-- Down Migration

DROP FUNCTION IF EXISTS permission_reachable_tuples(text, text, text[], text[]);
CREATE INDEX IF NOT EXISTS permission_tuples_subject_idx ON permission_tuples (org_id, subject_ns, subject_id);
DROP INDEX IF EXISTS permission_tuples_by_subject_idx;
DROP INDEX IF EXISTS permission_tuples_edges_idx;
