-- Two usage sources can describe the same account: the provider's usage API (the bill) and the metering proxy (per
-- key, from the usage every response carries). Both are kept in the ledger, but budgets, forecasts, anomalies and the
-- dashboard count exactly one per account: counted = 1 marks the rows of the account's counted source
-- (Monitor:Providers:N:UsageFrom), counted = 0 the other source, kept and shown beside it, never added. The daily
-- rollup holds counted rows only, so every reader of it counts one source without knowing about sources.
ALTER TABLE usage_records ADD COLUMN counted INTEGER NOT NULL DEFAULT 1;

-- The source each account counted when the rows were written: a change of UsageFrom re-marks the account's rows at
-- start (and rebuilds its rollup), so a switch never leaves both sources counted.
CREATE TABLE account_usage_sources (
    account     TEXT   NOT NULL PRIMARY KEY,
    usage_from  TEXT   NOT NULL,   -- api | proxy
    changed_at  BIGINT NOT NULL
);
