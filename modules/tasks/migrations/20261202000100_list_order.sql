-- Up Migration

-- GET /tasks without a sort lists an org's top-level live tasks newest first (created_at desc, then id). Without an
-- index in that order every page sorted all of the org's tasks (≈ 46 ms for 5 000 tasks); with it a page reads its
-- 25 rows in order (≈ 1 ms), and the partial predicate keeps the count to the same rows.
CREATE INDEX tasks_org_id_created_at_id_idx ON tasks (org_id, created_at DESC, id DESC)
  WHERE deleted_at IS NULL AND parent_id IS NULL;

-- Down Migration

DROP INDEX IF EXISTS tasks_org_id_created_at_id_idx;
