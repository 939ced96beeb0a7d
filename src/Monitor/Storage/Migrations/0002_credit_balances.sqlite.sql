-- Prepaid credit balances (OpenRouter, Kilo Code): the latest snapshot per account, for run-out warnings.
CREATE TABLE credit_balances (
    account           TEXT    NOT NULL PRIMARY KEY,
    currency          TEXT    NOT NULL,
    remaining_micros  BIGINT  NOT NULL,
    total_micros      BIGINT  NULL,
    depleted          INTEGER NOT NULL,
    fetched_at        BIGINT  NOT NULL
);
