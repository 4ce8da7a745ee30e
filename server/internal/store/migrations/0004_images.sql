-- Hotdesk schema v4: image sync.

-- Where each workspace's image stands on each agent that should hold it. The replica holding an
-- agent's SyncImages stream keeps the rows in line with the agent's desired set (rows appear
-- when a workspace becomes desired there and go when it stops being desired) and updates them
-- from the agent's pull progress and inventories. Several workspaces may share one image
-- reference: progress for a reference updates all of that agent's rows with it.
CREATE TABLE image_statuses (
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    agent_id        uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    image_reference text NOT NULL,
    state           smallint NOT NULL,             -- hotdesk.v1.ImageState numbers
    present         boolean NOT NULL DEFAULT false,
    -- Whether the agent pulls the image (the workspace names a registry); a missing image that
    -- is not pulled is ABSENT rather than QUEUED.
    pullable        boolean NOT NULL DEFAULT true,
    layers_done     integer NOT NULL DEFAULT 0,
    layers_total    integer NOT NULL DEFAULT 0,
    bytes_done      bigint NOT NULL DEFAULT 0,
    bytes_total     bigint NOT NULL DEFAULT 0,
    digest          text NOT NULL DEFAULT '',
    image_id        text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    pull_time       timestamptz,
    update_time     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, agent_id)
);
CREATE INDEX image_statuses_agent_ref_idx ON image_statuses (agent_id, image_reference);

-- DesiredImages generations: strictly increasing across replicas, so an agent can drop a late
-- message from a replica that no longer holds its stream.
CREATE SEQUENCE desired_images_generation;
