-- Alerts carry their evidence and routing, so an email can be composed (and the dashboard can show it) from the
-- database alone. delivery: immediate (one mail), digest (gathered into the next digest), muted or none.
ALTER TABLE alerts ADD COLUMN occurred_at BIGINT NULL;
ALTER TABLE alerts ADD COLUMN evidence TEXT NULL;
ALTER TABLE alerts ADD COLUMN recipients TEXT NULL;
ALTER TABLE alerts ADD COLUMN cooldown_key TEXT NULL;
ALTER TABLE alerts ADD COLUMN delivery TEXT NOT NULL DEFAULT 'immediate';
ALTER TABLE alerts ADD COLUMN digested_at BIGINT NULL;
ALTER TABLE alerts ADD COLUMN handled_at BIGINT NULL;
ALTER TABLE alerts ADD COLUMN handled_note TEXT NULL;
CREATE INDEX alerts_cooldown ON alerts (cooldown_key, raised_at);
CREATE INDEX alerts_status ON alerts (status, raised_at);

-- Every mail from the moment it is decided until the SMTP server accepted it. The message is composed once, so a
-- retry sends the same bytes with the same Message-ID. A node claims a row with a lease before sending.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    alert_id         BIGINT NULL,
    dedup_key        TEXT   NOT NULL UNIQUE,
    message_id       TEXT   NOT NULL,
    recipients       TEXT   NOT NULL,
    subject          TEXT   NOT NULL,
    mime             BLOB   NOT NULL,
    created_at       BIGINT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT NULL,
    last_error       TEXT   NULL,
    sent_at          BIGINT NULL
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Planned activity and known false alarms: a scope muted until a time (null columns match anything).
CREATE TABLE mutes (
    id          INTEGER PRIMARY KEY,
    kind        TEXT   NULL,
    account     TEXT   NULL,
    workspace   TEXT   NULL,
    key_id      TEXT   NULL,
    model       TEXT   NULL,
    from_at     BIGINT NOT NULL,
    until_at    BIGINT NOT NULL,
    reason      TEXT   NOT NULL,
    alert_id    BIGINT NULL,
    created_at  BIGINT NOT NULL
);

-- One row per check: the next check examines every bucket written since the previous one's as-of time.
CREATE TABLE check_runs (
    id           INTEGER PRIMARY KEY,
    as_of        BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NULL,
    raised       INTEGER NOT NULL DEFAULT 0,
    error        TEXT   NULL
);
