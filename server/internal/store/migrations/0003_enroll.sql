-- Hotdesk schema v3: enrollment retries.

-- The request_id of the Enroll call that consumed the token: a retry with the same id (its reply
-- was lost) gets the same agent and a fresh certificate instead of "already used".
ALTER TABLE enrollment_tokens ADD COLUMN request_id text NOT NULL DEFAULT '';

-- Housekeeping deletes tokens long past their expiry.
CREATE INDEX enrollment_tokens_expire_idx ON enrollment_tokens (expire_time);
