-- Calls forwarded by the metering proxy, counted per account, key fingerprint, model, UTC minute and the status the
-- caller got. Their tokens and money are in usage_records (source 'proxy', 1m buckets) for the calls that reported
-- usage; this table also holds the calls that did not (a 401, a 429, a 5xx, a stream cut before its usage), so the
-- ledger's token and money totals stay exact while every call is seen. metered counts those that reported usage.
CREATE TABLE proxy_requests (
    account          TEXT    NOT NULL,
    key_fingerprint  TEXT    NOT NULL,   -- '' when the call carried no key
    model            TEXT    NOT NULL,   -- as answered, else as asked, else ''
    minute           BIGINT  NOT NULL,   -- Unix seconds of the UTC minute
    status           BIGINT  NOT NULL,
    requests         BIGINT  NOT NULL,
    metered          BIGINT  NOT NULL,
    PRIMARY KEY (account, minute, key_fingerprint, model, status)
);
