-- Month-to-date counters (Mistral's usage endpoint), one row per poll that changed something. The ledger's buckets
-- for such a month are derived from these polls on every pull, so they can always be rebuilt.
CREATE TABLE usage_snapshots (
    account                TEXT   NOT NULL,
    month_start            BIGINT NOT NULL,
    workspace              TEXT   NOT NULL,
    model                  TEXT   NOT NULL,
    taken_at               BIGINT NOT NULL,
    input_tokens           BIGINT NOT NULL,
    cached_input_tokens    BIGINT NOT NULL,
    cache_write_tokens     BIGINT NOT NULL,
    output_tokens          BIGINT NOT NULL,
    reasoning_tokens       BIGINT NOT NULL,
    requests               BIGINT NOT NULL,
    cost_micros            BIGINT NULL,
    estimated_cost_micros  BIGINT NULL,
    currency               TEXT   NOT NULL,
    raw                    TEXT   NULL,
    PRIMARY KEY (account, month_start, workspace, model, taken_at)
);
