-- Up Migration

-- The outbox relay: every undispatched event is retried until delivered, with backoff, and given up on after
-- OUTBOX_MAX_ATTEMPTS (failed_at set, last_error says why).
--
-- next_attempt_at is both the retry schedule and the lease: whoever delivers an event (the process that published
-- it, or a relay that claimed it) has pushed next_attempt_at into the future, so no relay claims it meanwhile; if
-- that process dies, the lease runs out and a relay claims the event again.
ALTER TABLE outbox_events ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE outbox_events ADD COLUMN failed_at timestamptz;

CREATE INDEX outbox_events_due_idx ON outbox_events (next_attempt_at) WHERE dispatched_at IS NULL AND failed_at IS NULL;
-- Superseded by the one above.
DROP INDEX outbox_events_pending_idx;

-- Claiming across orgs. outbox_events is tenant data under FORCE ROW LEVEL SECURITY and the runtime role only ever
-- sees one org, but a relay must find the due events of every org. outbox_claim_due is the one door through RLS:
--   * SECURITY DEFINER: it runs as the migration owner (the table owner, who is subject to FORCE RLS too unless
--     superuser) and sets app.outbox_relay for the duration of the call only;
--   * the two policies below show the owner every row only while app.outbox_relay = 'claim' (the runtime role is
--     not the owner: for it these policies do not exist, whatever it sets);
--   * it returns ids and org ids only — never a payload — and all it changes is the lease. The relay then reads
--     and updates each event as the runtime role in a transaction of the event's org, under tenant_isolation.
-- FOR UPDATE SKIP LOCKED: concurrent relays claim disjoint batches without waiting on each other.
CREATE POLICY outbox_relay_claim_select ON outbox_events FOR SELECT TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'claim');
CREATE POLICY outbox_relay_claim_update ON outbox_events FOR UPDATE TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'claim');

CREATE FUNCTION outbox_claim_due(p_limit integer, p_lease_ms integer)
RETURNS TABLE (id uuid, org_id uuid)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  previous text := current_setting('app.outbox_relay', true);
BEGIN
  -- Transaction-local and restored before returning (an error aborts the transaction, which reverts it too).
  PERFORM set_config('app.outbox_relay', 'claim', true);
  RETURN QUERY
    WITH due AS MATERIALIZED (
      SELECT e.id
        FROM outbox_events e
       WHERE e.dispatched_at IS NULL AND e.failed_at IS NULL AND e.next_attempt_at <= now()
       ORDER BY e.next_attempt_at
       LIMIT least(greatest(p_limit, 1), 1000)
         FOR UPDATE SKIP LOCKED
    )
    UPDATE outbox_events o
       SET next_attempt_at = now() + make_interval(secs => greatest(p_lease_ms, 1000) / 1000.0)
      FROM due
     WHERE o.id = due.id
    RETURNING o.id, o.org_id;
  PERFORM set_config('app.outbox_relay', coalesce(previous, ''), true);
END;
$$;

-- Down Migration

DROP FUNCTION IF EXISTS outbox_claim_due(integer, integer);
DROP POLICY IF EXISTS outbox_relay_claim_update ON outbox_events;
DROP POLICY IF EXISTS outbox_relay_claim_select ON outbox_events;
CREATE INDEX outbox_events_pending_idx ON outbox_events (created_at) WHERE dispatched_at IS NULL;
DROP INDEX IF EXISTS outbox_events_due_idx;
ALTER TABLE outbox_events DROP COLUMN IF EXISTS failed_at;
ALTER TABLE outbox_events DROP COLUMN IF EXISTS next_attempt_at;
