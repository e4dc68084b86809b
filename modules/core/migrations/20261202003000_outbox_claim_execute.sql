-- Up Migration

-- Functions are executable by PUBLIC by default. outbox_claim_due (20261202001000_outbox_relay) is the relay's one
-- door through row-level security: only its owner and the runtime role may call it (db:migrate grants EXECUTE on the
-- schema's functions to the runtime role), not whatever other role can connect to the database. A migration of its
-- own because 20261202001000 may have run already: an applied migration is never edited.
REVOKE EXECUTE ON FUNCTION outbox_claim_due(integer, integer) FROM PUBLIC;

-- Down Migration

GRANT EXECUTE ON FUNCTION outbox_claim_due(integer, integer) TO PUBLIC;
