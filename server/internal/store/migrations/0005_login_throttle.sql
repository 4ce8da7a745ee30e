-- Hotdesk schema v5: sign-in throttling.

-- Failed sign-ins (Login, and ChangePassword's current password) per lower-cased user name,
-- existing or not, and per client address, so that every replica sees the same counts. A row
-- goes when it has nothing left to remember: a successful sign-in clears its user name's row;
-- housekeeping deletes rows whose window is over and whose last lockout ended long ago.
CREATE TABLE login_throttles (
    kind         text NOT NULL CHECK (kind IN ('user', 'address')),
    subject      text NOT NULL,
    failures     integer NOT NULL DEFAULT 0,  -- failed attempts in the window from window_start
    pending      integer NOT NULL DEFAULT 0,  -- attempts let through and not ended yet
    window_start timestamptz NOT NULL DEFAULT now(),
    lockouts     integer NOT NULL DEFAULT 0,  -- the next lockout lasts the first one times 2^lockouts
    locked_until timestamptz,
    PRIMARY KEY (kind, subject)
);
