-- Hotdesk schema v1: catalog, identity, agents and the audit log.

CREATE TABLE zones (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    proxy_mode  smallint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT zones_name_key UNIQUE (name)
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    role          smallint NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    password_hash text NOT NULL,
    create_time   timestamptz NOT NULL DEFAULT now(),
    update_time   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE groups (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT groups_name_key UNIQUE (name)
);

CREATE TABLE group_members (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE workspaces (
    id                    uuid PRIMARY KEY,
    name                  text NOT NULL,
    description           text NOT NULL DEFAULT '',
    thumbnail_url         text NOT NULL DEFAULT '',
    kind                  smallint NOT NULL,
    enabled               boolean NOT NULL DEFAULT true,
    image                 text NOT NULL DEFAULT '',
    registry              text NOT NULL DEFAULT '',
    registry_username     text NOT NULL DEFAULT '',
    registry_password_enc bytea,
    cores                 double precision NOT NULL DEFAULT 0,
    memory_mb             bigint NOT NULL DEFAULT 0,
    gpus                  integer NOT NULL DEFAULT 0,
    cpu_allocation        smallint NOT NULL DEFAULT 1,
    run_config_override   text NOT NULL DEFAULT '',
    docker_network        text NOT NULL DEFAULT '',
    volume_mappings       jsonb NOT NULL DEFAULT '[]',
    server_id             uuid,
    server_pool_id        uuid,
    link_url              text NOT NULL DEFAULT '',
    zone_ids              uuid[] NOT NULL DEFAULT '{}',
    idle_timeout_seconds  integer NOT NULL DEFAULT 0,
    max_lifetime_seconds  integer NOT NULL DEFAULT 0,
    create_time           timestamptz NOT NULL DEFAULT now(),
    update_time           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workspaces_name_key UNIQUE (name)
);

CREATE TABLE group_workspaces (
    group_id     uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, workspace_id)
);
CREATE INDEX group_workspaces_workspace_idx ON group_workspaces (workspace_id);

CREATE TABLE api_keys (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           text NOT NULL,
    scope          smallint NOT NULL,
    secret_hash    bytea NOT NULL UNIQUE,
    expire_time    timestamptz,
    last_used_time timestamptz,
    create_time    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);

CREATE TABLE login_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expire_time timestamptz NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_tokens_user_idx ON login_tokens (user_id);
CREATE INDEX login_tokens_expire_idx ON login_tokens (expire_time);

CREATE TABLE agents (
    id                 uuid PRIMARY KEY,
    hostname           text NOT NULL DEFAULT '',
    zone_id            uuid REFERENCES zones (id),
    pool_id            uuid,
    enabled            boolean NOT NULL DEFAULT true,
    state              smallint NOT NULL DEFAULT 1,
    version            text NOT NULL DEFAULT '',
    docker_version     text NOT NULL DEFAULT '',
    reported_cores     double precision NOT NULL DEFAULT 0,
    reported_memory_mb bigint NOT NULL DEFAULT 0,
    reported_gpus      integer NOT NULL DEFAULT 0,
    override_cores     double precision NOT NULL DEFAULT 0,
    override_memory_mb bigint NOT NULL DEFAULT 0,
    override_gpus      integer NOT NULL DEFAULT 0,
    used_cores         double precision NOT NULL DEFAULT 0,
    used_memory_mb     bigint NOT NULL DEFAULT 0,
    used_gpus          integer NOT NULL DEFAULT 0,
    networks           text[] NOT NULL DEFAULT '{}',
    session_count      integer NOT NULL DEFAULT 0,
    last_checkin_time  timestamptz,
    create_time        timestamptz NOT NULL DEFAULT now(),
    update_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_zone_idx ON agents (zone_id);

-- Idempotency keys: a create retried with the same request_id returns the first result.
CREATE TABLE request_ids (
    scope       text NOT NULL,
    request_id  text NOT NULL,
    resource_id text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, request_id)
);

CREATE TABLE audit_events (
    id          uuid PRIMARY KEY,
    time        timestamptz NOT NULL DEFAULT now(),
    user_id     uuid,
    api_key_id  uuid,
    method      text NOT NULL,
    resource_id text NOT NULL DEFAULT '',
    code        text NOT NULL,
    peer        text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, id);
