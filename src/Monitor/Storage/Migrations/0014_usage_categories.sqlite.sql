-- One model can be billed on several lines in the same bucket: Anthropic's priority tier and long context beside its
-- standard tokens, Mistral's OCR pages beside a model's tokens, OpenAI's images, audio and tool calls. A record is
-- therefore also told apart by its category ('' for plain token usage at the standard tier), and carries the billed
-- units that are not tokens (pages, seconds, characters, images, calls) with their unit. The primary key changes, so
-- the table is rebuilt (SQLite cannot alter a primary key); existing rows get the plain category.
CREATE TABLE usage_records_new (
    account               TEXT    NOT NULL,
    provider              TEXT    NOT NULL,
    workspace             TEXT    NOT NULL,
    key_id                TEXT    NOT NULL,
    key_fingerprint       TEXT    NULL,
    model                 TEXT    NOT NULL,
    category              TEXT    NOT NULL DEFAULT '',  -- '' | priority | long_context | ocr | images | web_search_calls | ...
    bucket_start          BIGINT  NOT NULL,
    bucket_width          TEXT    NOT NULL,
    input_tokens          BIGINT  NOT NULL,
    cached_input_tokens   BIGINT  NOT NULL,
    cache_write_tokens    BIGINT  NOT NULL,
    output_tokens         BIGINT  NOT NULL,
    reasoning_tokens      BIGINT  NOT NULL,
    requests              BIGINT  NOT NULL,
    units                 BIGINT  NOT NULL DEFAULT 0,   -- billed units that are not tokens
    unit                  TEXT    NOT NULL DEFAULT '',  -- pages | seconds | characters | images | calls | sessions | bytes | ...
    cost_micros           BIGINT  NULL,
    currency              TEXT    NOT NULL,
    cost_source           TEXT    NOT NULL,
    estimated_cost_micros BIGINT  NULL,
    source                TEXT    NOT NULL,
    ingested_at           BIGINT  NOT NULL,
    batch_id              BIGINT  NOT NULL,
    raw                   TEXT    NULL,
    PRIMARY KEY (account, bucket_start, bucket_width, workspace, key_id, model, category)
);

INSERT INTO usage_records_new (account, provider, workspace, key_id, key_fingerprint, model, category, bucket_start,
    bucket_width, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
    units, unit, cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw)
SELECT account, provider, workspace, key_id, key_fingerprint, model, '', bucket_start,
    bucket_width, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
    0, '', cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw
FROM usage_records;

DROP TABLE usage_records;
ALTER TABLE usage_records_new RENAME TO usage_records;

CREATE INDEX ix_usage_records_time ON usage_records (bucket_start);
CREATE INDEX ix_usage_records_unpriced ON usage_records (bucket_start) WHERE cost_micros IS NULL;
CREATE INDEX ix_usage_records_ingested ON usage_records (ingested_at);

-- Month-to-date polls are kept per category too.
CREATE TABLE usage_snapshots_new (
    account                TEXT   NOT NULL,
    month_start            BIGINT NOT NULL,
    workspace              TEXT   NOT NULL,
    model                  TEXT   NOT NULL,
    category               TEXT   NOT NULL DEFAULT '',
    taken_at               BIGINT NOT NULL,
    input_tokens           BIGINT NOT NULL,
    cached_input_tokens    BIGINT NOT NULL,
    cache_write_tokens     BIGINT NOT NULL,
    output_tokens          BIGINT NOT NULL,
    reasoning_tokens       BIGINT NOT NULL,
    requests               BIGINT NOT NULL,
    units                  BIGINT NOT NULL DEFAULT 0,
    unit                   TEXT   NOT NULL DEFAULT '',
    cost_micros            BIGINT NULL,
    estimated_cost_micros  BIGINT NULL,
    currency               TEXT   NOT NULL,
    raw                    TEXT   NULL,
    PRIMARY KEY (account, month_start, workspace, model, category, taken_at)
);

INSERT INTO usage_snapshots_new (account, month_start, workspace, model, category, taken_at, input_tokens,
    cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, units, unit, cost_micros,
    estimated_cost_micros, currency, raw)
SELECT account, month_start, workspace, model, '', taken_at, input_tokens,
    cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, 0, '', cost_micros,
    estimated_cost_micros, currency, raw
FROM usage_snapshots;

DROP TABLE usage_snapshots;
ALTER TABLE usage_snapshots_new RENAME TO usage_snapshots;

-- Format drift: a response field of an unexpected type, or a usage category a connector does not know, reported once
-- per account, UTC day and field path (log, pull run, dashboard) instead of being ignored or failing every pull.
CREATE TABLE provider_drift (
    account        TEXT   NOT NULL,
    day            BIGINT NOT NULL,   -- Unix seconds of 00:00 UTC of the day it was seen
    endpoint       TEXT   NOT NULL,
    path           TEXT   NOT NULL,   -- the field's path in the response, e.g. data[].results[].amount.value
    problem        TEXT   NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    occurrences    BIGINT NOT NULL,
    PRIMARY KEY (account, day, endpoint, path)
);

ALTER TABLE pull_runs ADD COLUMN drift TEXT NULL;  -- the drift this run saw, one '<endpoint> <path>: <problem>' a line
