-- The usage ledger and what every pull records beside it.
-- Times are Unix seconds (UTC) and money is integer micro-units with a currency column, so the same
-- statements run on SQLite and PostgreSQL.

CREATE TABLE ingest_batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,          -- pull | import | demo
    account     TEXT    NULL,
    origin      TEXT    NULL,              -- endpoint or file name
    started_at  BIGINT  NOT NULL
);

CREATE TABLE usage_records (
    account               TEXT    NOT NULL,
    provider              TEXT    NOT NULL,
    workspace             TEXT    NOT NULL,  -- '' when the provider has none
    key_id                TEXT    NOT NULL,  -- '' when unknown
    key_fingerprint       TEXT    NULL,
    model                 TEXT    NOT NULL,
    bucket_start          BIGINT  NOT NULL,
    bucket_width          TEXT    NOT NULL,  -- 1m | 1h | 1d | month
    input_tokens          BIGINT  NOT NULL,
    cached_input_tokens   BIGINT  NOT NULL,
    cache_write_tokens    BIGINT  NOT NULL,
    output_tokens         BIGINT  NOT NULL,
    reasoning_tokens      BIGINT  NOT NULL,
    requests              BIGINT  NOT NULL,
    cost_micros           BIGINT  NULL,      -- what counts: reported, else estimated; NULL when unpriced
    currency              TEXT    NOT NULL,
    cost_source           TEXT    NOT NULL,  -- reported | estimated | unpriced
    estimated_cost_micros BIGINT  NULL,      -- the catalog estimate, kept beside a reported cost
    source                TEXT    NOT NULL,  -- api | import | demo
    ingested_at           BIGINT  NOT NULL,
    batch_id              BIGINT  NOT NULL,
    raw                   TEXT    NULL,
    PRIMARY KEY (account, bucket_start, bucket_width, workspace, key_id, model)
);

CREATE INDEX ix_usage_records_time ON usage_records (bucket_start);

CREATE TABLE pull_runs (
    id            INTEGER PRIMARY KEY,
    account       TEXT    NOT NULL,
    endpoint      TEXT    NOT NULL,
    window_start  BIGINT  NULL,
    window_end    BIGINT  NULL,
    records       BIGINT  NOT NULL,
    started_at    BIGINT  NOT NULL,
    duration_ms   BIGINT  NOT NULL,
    outcome       TEXT    NOT NULL,          -- ok | failed
    error         TEXT    NULL
);

CREATE INDEX ix_pull_runs_account ON pull_runs (account, started_at);

CREATE TABLE watermarks (
    account     TEXT   NOT NULL,
    endpoint    TEXT   NOT NULL,
    watermark   BIGINT NOT NULL,             -- everything before this instant has been pulled
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (account, endpoint)
);

CREATE TABLE api_keys (
    account        TEXT   NOT NULL,
    key_id         TEXT   NOT NULL,
    name           TEXT   NULL,
    kind           TEXT   NOT NULL,          -- api | admin | project | service_account
    workspace      TEXT   NOT NULL,
    fingerprint    TEXT   NULL,              -- hash prefix + last 4, where the provider gives a hash
    last_four      TEXT   NULL,
    owner          TEXT   NULL,
    status         TEXT   NOT NULL,          -- active | disabled | archived | expired | deleted
    created_at     BIGINT NULL,
    expires_at     BIGINT NULL,
    last_used_at   BIGINT NULL,
    first_seen_at  BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    source         TEXT   NOT NULL,          -- api | config | demo
    PRIMARY KEY (account, key_id)
);

CREATE TABLE models (
    account         TEXT   NOT NULL,
    provider        TEXT   NOT NULL,
    model           TEXT   NOT NULL,
    aliases         TEXT   NOT NULL,         -- comma-separated
    shutdown_at     BIGINT NULL,             -- retirement date the provider announces
    replacement     TEXT   NULL,
    first_seen_at   BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    PRIMARY KEY (account, model)
);

CREATE TABLE spend_limits (
    account          TEXT   NOT NULL PRIMARY KEY,
    currency         TEXT   NOT NULL,
    usage_micros     BIGINT NULL,
    limit_micros     BIGINT NULL,            -- NULL: no monthly limit
    limit_reached    INTEGER NOT NULL,
    payment_failure  INTEGER NOT NULL,
    fetched_at       BIGINT NOT NULL
);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT   NOT NULL,
    severity    TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    account     TEXT   NULL,
    workspace   TEXT   NULL,
    key_id      TEXT   NULL,
    model       TEXT   NULL,
    title       TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    raised_at   BIGINT NOT NULL,
    sent_at     BIGINT NULL,
    dedup_key   TEXT   NOT NULL UNIQUE
);
