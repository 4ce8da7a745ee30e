-- Hotdesk schema v2: agent enrollment and identity, check-in state, sessions, durable agent
-- commands, and fenced leadership of background loops.

-- The CA that signs agent client certificates and replica server certificates; its key is
-- sealed with the server secret key. One row, shared by every replica.
CREATE TABLE server_ca (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    cert_pem    text NOT NULL,
    key_enc     bytea NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollment_tokens (
    token_hash  bytea PRIMARY KEY,
    zone_id     uuid REFERENCES zones (id) ON DELETE CASCADE,
    role        smallint NOT NULL,
    expire_time timestamptz NOT NULL,
    used_time   timestamptz,
    agent_id    uuid,
    created_by  uuid,
    create_time timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE agents
    ADD COLUMN role smallint NOT NULL DEFAULT 1,
    ADD COLUMN cert_serial text NOT NULL DEFAULT '',
    ADD COLUMN advertise_url text NOT NULL DEFAULT '',
    -- The newest check-in stream: which process of the agent and which replica holds it.
    ADD COLUMN instance_id text NOT NULL DEFAULT '',
    ADD COLUMN stream_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN stream_server text NOT NULL DEFAULT '',
    ADD COLUMN images text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unreachable_since timestamptz,
    -- Command sequence numbers: the next to assign and the highest the agent acknowledged.
    ADD COLUMN next_seq bigint NOT NULL DEFAULT 1,
    ADD COLUMN acked_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL,
    user_id         uuid NOT NULL,
    zone_id         uuid,
    agent_id        uuid,
    state           smallint NOT NULL,
    state_reason    text NOT NULL DEFAULT '',
    container_id    text NOT NULL DEFAULT '',
    host_port       integer NOT NULL DEFAULT 0,
    -- Capacity reserved on agent_id while the session holds it.
    cores           double precision NOT NULL DEFAULT 0,
    memory_mb       bigint NOT NULL DEFAULT 0,
    gpus            integer NOT NULL DEFAULT 0,
    reserved        boolean NOT NULL DEFAULT false,
    tried_agents    uuid[] NOT NULL DEFAULT '{}',
    vnc_password    bytea,
    idle_timeout_seconds integer NOT NULL DEFAULT 0,
    create_time     timestamptz NOT NULL DEFAULT now(),
    start_time      timestamptz,
    expire_time     timestamptz,
    max_expire_time timestamptz,
    end_time        timestamptz,
    update_time     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id, id);
CREATE INDEX sessions_live_agent_idx ON sessions (agent_id) WHERE end_time IS NULL;
CREATE INDEX sessions_expire_idx ON sessions (expire_time) WHERE end_time IS NULL;

-- Commands for agents, durable so that a replica crash or a broken stream loses none: the
-- replica holding the agent's stream sends pending ones and marks them as the agent answers.
CREATE TABLE agent_commands (
    agent_id    uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    session_id  uuid,
    payload     bytea NOT NULL,
    state       smallint NOT NULL DEFAULT 0, -- 0 pending, 1 acked, 2 done
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, seq)
);
CREATE INDEX agent_commands_open_idx ON agent_commands (agent_id, seq) WHERE state < 2;

-- Fencing for leader-elected loops: a leader takes the advisory lock, bumps generation, and
-- every write it makes checks the generation is still its own.
CREATE TABLE loop_leases (
    name        text PRIMARY KEY,
    generation  bigint NOT NULL DEFAULT 0,
    holder      text NOT NULL DEFAULT '',
    update_time timestamptz NOT NULL DEFAULT now()
);
