-- Anomaly detection state, so a check after a check only scores the new buckets. Each series' detectors are saved as
-- they stood at the checkpoint (older buckets are settled); a check reloads them and scores from the checkpoint on.
-- A backfill below the checkpoint (rows written since the previous check's mark), a changed setting or mute, or a
-- missing state rebuilds the account from its whole history.

CREATE TABLE anomaly_checkpoint (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    checkpoint     BIGINT  NOT NULL,  -- every series' state covers the buckets before this instant
    as_of          BIGINT  NOT NULL,  -- the check that saved it
    ingested_mark  BIGINT  NOT NULL,  -- the newest usage_records.ingested_at that check had seen
    fingerprint    TEXT    NOT NULL   -- format, settings and mutes: any change rebuilds every series
);

CREATE TABLE anomaly_states (
    account   TEXT  NOT NULL,
    series    TEXT  NOT NULL,  -- k:<workspace>\x1f<key id> | w:<workspace> | a:, and d for daily buckets
    state     BLOB  NULL,      -- NULL: the series began after the checkpoint; its account is rebuilt next time
    PRIMARY KEY (account, series)
);

-- Rows written since the previous check below its checkpoint (a backfill or late import) are found without a scan.
CREATE INDEX ix_usage_records_ingested ON usage_records (ingested_at);
