-- Scale-out: what several `copse serve` and `copse worker` processes on one database must
-- share, moved out of process memory.

-- Failed log-ins per account and per client address (`actions::login`, rules in
-- `domain::throttle`): every process counts the same failures and honours the same lockouts.
-- `in_flight` attempts count against what is left of the budget until `in_flight_until`
-- (a crashed process's attempts run out). A row is forgotten after `forget_after`.
CREATE TABLE login_throttles (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_start TIMESTAMP,
    in_flight INTEGER NOT NULL,
    in_flight_until TIMESTAMP,
    lockouts INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure TIMESTAMP,
    forget_after TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX login_throttles_forget_after ON login_throttles (forget_after);

-- A counter per piece of state that processes keep compiled in memory (today the instance
-- policy): a change bumps it in the same transaction, and every process, checking it every
-- second, rebuilds its copy when it moved.
CREATE TABLE state_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);

-- An inbound activity being applied by one process: other processes given a copy wait for it
-- instead of applying it again. NULL (every row before this migration) means applied.
ALTER TABLE received_activities ADD COLUMN claimed_until TIMESTAMP;
