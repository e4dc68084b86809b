-- Up Migration

-- Core kernel: the transactional outbox. Events are tenant data: org_id + FORCE ROW LEVEL SECURITY, so the
-- runtime role only ever sees the events of the org set in app.current_org_id.

CREATE TABLE outbox_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL,
  type            varchar(200) NOT NULL,
  payload         jsonb NOT NULL,
  actor_id        uuid,
  correlation_id  varchar(128),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  dispatched_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_events_org_id_created_at_idx ON outbox_events (org_id, created_at);
CREATE INDEX outbox_events_pending_idx ON outbox_events (created_at) WHERE dispatched_at IS NULL;

ALTER TABLE outbox_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox_events
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

-- Down Migration

DROP TABLE outbox_events;
