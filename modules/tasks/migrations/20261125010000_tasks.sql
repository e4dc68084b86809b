-- Up Migration

-- Tasks module: boards with ordered columns, tasks (subtasks via parent_id), checklists and items.
-- Tenant safety is enforced twice by the database itself:
--   * every table has org_id + ENABLE/FORCE ROW LEVEL SECURITY with the tenant_isolation policy;
--   * foreign keys are composite (org_id, id), because referential checks bypass RLS — without them a row
--     of one org could point at a row of another.

CREATE TABLE task_boards (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL,
  name        varchar(200) NOT NULL,
  view_type   varchar(50) NOT NULL DEFAULT 'kanban' CHECK (view_type IN ('kanban', 'list', 'calendar', 'gantt')),
  config      jsonb NOT NULL DEFAULT '{}',
  created_by  uuid NOT NULL,
  deleted_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_boards_org_id_id_key UNIQUE (org_id, id)
);
CREATE INDEX task_boards_org_id_deleted_at_idx ON task_boards (org_id, deleted_at);

CREATE TABLE task_columns (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL,
  board_id    uuid NOT NULL,
  name        varchar(200) NOT NULL,
  position    double precision NOT NULL,
  config      jsonb NOT NULL DEFAULT '{}',  -- color, WIP limits, automation rules
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_columns_org_id_board_id_id_key UNIQUE (org_id, board_id, id),
  CONSTRAINT task_columns_board_fkey FOREIGN KEY (org_id, board_id)
    REFERENCES task_boards (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_columns_org_id_board_id_position_idx ON task_columns (org_id, board_id, position);

CREATE TABLE tasks (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL,
  title        varchar(500) NOT NULL,
  description  text,
  status       varchar(50) NOT NULL DEFAULT 'todo',
  priority     varchar(20) CHECK (priority IN ('urgent', 'high', 'medium', 'low')),
  due_date     timestamptz,
  start_date   timestamptz,
  board_id     uuid,
  column_id    uuid,
  position     double precision NOT NULL,  -- fractional index within (board, column) or among siblings
  parent_id    uuid,                       -- subtask (unlimited nesting)
  metadata     jsonb NOT NULL DEFAULT '{}', -- custom fields, labels, story points
  assignee_id  uuid,
  created_by   uuid NOT NULL,
  deleted_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tasks_org_id_id_key UNIQUE (org_id, id),
  CONSTRAINT tasks_column_needs_board CHECK (column_id IS NULL OR board_id IS NOT NULL),
  CONSTRAINT tasks_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
  CONSTRAINT tasks_board_fkey FOREIGN KEY (org_id, board_id) REFERENCES task_boards (org_id, id),
  -- The column must belong to the task's board; removing a column detaches its (soft-deleted) tasks.
  CONSTRAINT tasks_column_fkey FOREIGN KEY (org_id, board_id, column_id)
    REFERENCES task_columns (org_id, board_id, id) ON DELETE SET NULL (column_id),
  CONSTRAINT tasks_parent_fkey FOREIGN KEY (org_id, parent_id) REFERENCES tasks (org_id, id)
);
CREATE INDEX tasks_org_id_board_id_column_id_position_idx ON tasks (org_id, board_id, column_id, position);
CREATE INDEX tasks_org_id_deleted_at_idx ON tasks (org_id, deleted_at);
CREATE INDEX tasks_org_id_parent_id_idx ON tasks (org_id, parent_id);
CREATE INDEX tasks_org_id_assignee_id_idx ON tasks (org_id, assignee_id);

CREATE TABLE task_checklists (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL,
  task_id     uuid NOT NULL,
  title       varchar(200) NOT NULL,
  position    double precision NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_checklists_org_id_id_key UNIQUE (org_id, id),
  CONSTRAINT task_checklists_task_fkey FOREIGN KEY (org_id, task_id)
    REFERENCES tasks (org_id, id) ON DELETE CASCADE
);
CREATE INDEX task_checklists_org_id_task_id_position_idx ON task_checklists (org_id, task_id, position);

CREATE TABLE checklist_items (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL,
  checklist_id  uuid NOT NULL,
  title         varchar(500) NOT NULL,
  done          boolean NOT NULL DEFAULT false,
  done_by       uuid,
  done_at       timestamptz,
  position      double precision NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT checklist_items_checklist_fkey FOREIGN KEY (org_id, checklist_id)
    REFERENCES task_checklists (org_id, id) ON DELETE CASCADE
);
CREATE INDEX checklist_items_org_id_checklist_id_position_idx ON checklist_items (org_id, checklist_id, position);

ALTER TABLE task_boards ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_boards FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_boards
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE task_columns ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_columns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_columns
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tasks
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE task_checklists ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_checklists FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_checklists
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE checklist_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON checklist_items
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

-- Down Migration

DROP TABLE IF EXISTS checklist_items;
DROP TABLE IF EXISTS task_checklists;
DROP TABLE IF EXISTS tasks;
DROP TABLE IF EXISTS task_columns;
DROP TABLE IF EXISTS task_boards;
