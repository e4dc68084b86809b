-- Up Migration

-- Identity and access kernel: users (global), organizations and their members, sessions (refresh tokens),
-- password resets, relation tuples of the permission engine, and the append-only audit log.
--
-- Row-level security:
--   * organizations: visible when it is the current org or the current user is a member of it;
--     written only as the current org (the app scopes the transaction to the org it creates).
--   * org_members: visible for the current org's rows and for the current user's own memberships (so a user can
--     list their orgs and switch); written only in the current org.
--   * permission_tuples, audit_log: the standard tenant_isolation policy.
--   * users, refresh_tokens, password_reset_tokens are global identity data (no tenant), reached by id/email/hash only.

CREATE TABLE users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email               varchar(320) NOT NULL,
  password_hash       varchar(100) NOT NULL,
  first_name          varchar(100) NOT NULL DEFAULT '',
  last_name           varchar(100) NOT NULL DEFAULT '',
  timezone            varchar(64) NOT NULL DEFAULT 'UTC',
  locale              varchar(35) NOT NULL DEFAULT 'en',
  failed_login_count  integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  last_login_at       timestamptz,
  login_count         integer NOT NULL DEFAULT 0,
  password_changed_at timestamptz,
  deleted_at          timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_email_lower_check CHECK (email = lower(email))
);

CREATE TABLE organizations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        varchar(200) NOT NULL,
  slug        varchar(100) NOT NULL,
  personal    boolean NOT NULL DEFAULT false,
  created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  deleted_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organizations_slug_key UNIQUE (slug)
);

CREATE TABLE org_members (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role        varchar(20) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT org_members_org_id_user_id_key UNIQUE (org_id, user_id)
);
CREATE INDEX org_members_user_id_idx ON org_members (user_id);

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id      uuid NOT NULL,
  family_id   uuid NOT NULL,
  token_hash  char(64) NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  replaced_by uuid,
  ip          varchar(64),
  user_agent  varchar(500),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

CREATE TABLE password_reset_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  char(64) NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT password_reset_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);

-- Tuples `namespace:object_id#relation@subject_ns:subject_id[#subject_rel]` (the spec's table, per org).
CREATE TABLE permission_tuples (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL DEFAULT nullif(current_setting('app.current_org_id', true), '')::uuid,
  namespace   varchar(100) NOT NULL,
  object_id   varchar(200) NOT NULL,
  relation    varchar(100) NOT NULL,
  subject_ns  varchar(100) NOT NULL,
  subject_id  varchar(200) NOT NULL,
  subject_rel varchar(100),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT permission_tuples_key UNIQUE NULLS NOT DISTINCT (org_id, namespace, object_id, relation, subject_ns, subject_id, subject_rel)
);
CREATE INDEX permission_tuples_object_idx ON permission_tuples (org_id, namespace, object_id);
CREATE INDEX permission_tuples_subject_idx ON permission_tuples (org_id, subject_ns, subject_id);
CREATE INDEX permission_tuples_check_idx ON permission_tuples (org_id, namespace, object_id, relation);

CREATE TABLE audit_log (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id         uuid NOT NULL DEFAULT nullif(current_setting('app.current_org_id', true), '')::uuid,
  actor_id       uuid,
  action         varchar(200) NOT NULL,
  entity_type    varchar(100) NOT NULL,
  entity_id      varchar(200),
  changes        jsonb,
  ip             varchar(64),
  user_agent     varchar(500),
  correlation_id varchar(128),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_id_created_at_idx ON audit_log (org_id, created_at DESC);
CREATE INDEX audit_log_org_id_entity_idx ON audit_log (org_id, entity_type, entity_id);

-- Append-only, whoever connects: the runtime role has no UPDATE/DELETE grant, and this trigger stops even the owner.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY org_visibility ON organizations
  USING (
    id = nullif(current_setting('app.current_org_id', true), '')::uuid
    OR EXISTS (
      SELECT 1 FROM org_members m
      WHERE m.org_id = organizations.id
        AND m.user_id = nullif(current_setting('app.current_user_id', true), '')::uuid
    )
  )
  WITH CHECK (id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE org_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_members FORCE ROW LEVEL SECURITY;
CREATE POLICY member_visibility ON org_members
  USING (
    org_id = nullif(current_setting('app.current_org_id', true), '')::uuid
    OR user_id = nullif(current_setting('app.current_user_id', true), '')::uuid
  )
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE permission_tuples ENABLE ROW LEVEL SECURITY;
ALTER TABLE permission_tuples FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON permission_tuples
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)
  WITH CHECK (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid);

-- Down Migration

DROP TABLE IF EXISTS audit_log;
DROP FUNCTION IF EXISTS audit_log_append_only();
DROP TABLE IF EXISTS permission_tuples;
DROP TABLE IF EXISTS password_reset_tokens;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS org_members;
DROP TABLE IF EXISTS organizations;
DROP TABLE IF EXISTS users;
