-- The dashboard's daily rollup of usage_records: one row per UTC day, account, workspace, key, model, currency and
-- bucket shape (month-wide buckets stay apart, because the dashboard spreads them over their month). Triggers keep
-- it exact inside the very transaction that writes the ledger: an insert adds, a delete subtracts, an update does
-- both, so a pull that replaces a window (upsert + delete of what it no longer reports) never double-counts.
-- The dashboard reads totals from here: a year of hourly buckets is 24 times fewer rows.
CREATE TABLE usage_daily (
    day                     BIGINT  NOT NULL,   -- Unix seconds of 00:00 UTC of bucket_start's day
    account                 TEXT    NOT NULL,
    provider                TEXT    NOT NULL,
    workspace               TEXT    NOT NULL,
    key_id                  TEXT    NOT NULL,
    model                   TEXT    NOT NULL,
    currency                TEXT    NOT NULL,
    is_month                INTEGER NOT NULL,   -- 1 for month-wide buckets
    key_fingerprint         TEXT    NULL,
    buckets                 BIGINT  NOT NULL,
    priced_buckets          BIGINT  NOT NULL,
    cost_micros             BIGINT  NOT NULL,   -- priced buckets only; unpriced ones are counted apart
    input_tokens            BIGINT  NOT NULL,
    cached_input_tokens     BIGINT  NOT NULL,
    cache_write_tokens      BIGINT  NOT NULL,
    output_tokens           BIGINT  NOT NULL,
    requests                BIGINT  NOT NULL,
    reported_micros         BIGINT  NOT NULL,   -- reconciliation: reported cost of buckets that also have an estimate
    estimated_micros        BIGINT  NOT NULL,   -- ... and their catalog estimate
    PRIMARY KEY (day, account, workspace, key_id, model, currency, is_month, provider)
);

CREATE INDEX ix_usage_daily_model ON usage_daily (model, day);
CREATE INDEX ix_usage_daily_key ON usage_daily (key_id, day);

INSERT INTO usage_daily (day, account, provider, workspace, key_id, model, currency, is_month, key_fingerprint,
    buckets, priced_buckets, cost_micros, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests,
    reported_micros, estimated_micros)
SELECT bucket_start - (bucket_start % 86400), account, provider, workspace, key_id, model, currency,
       CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END, MAX(key_fingerprint),
       COUNT(*), COUNT(cost_micros), COALESCE(SUM(cost_micros), 0),
       SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens), SUM(requests),
       COALESCE(SUM(CASE WHEN cost_source = 'reported' AND estimated_cost_micros IS NOT NULL THEN cost_micros END), 0),
       COALESCE(SUM(CASE WHEN cost_source = 'reported' AND cost_micros IS NOT NULL THEN estimated_cost_micros END), 0)
FROM usage_records
GROUP BY bucket_start - (bucket_start % 86400), account, provider, workspace, key_id, model, currency,
         CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END;

CREATE TRIGGER usage_daily_insert AFTER INSERT ON usage_records
BEGIN
    INSERT INTO usage_daily (day, account, provider, workspace, key_id, model, currency, is_month, key_fingerprint,
        buckets, priced_buckets, cost_micros, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests,
        reported_micros, estimated_micros)
    VALUES (NEW.bucket_start - (NEW.bucket_start % 86400), NEW.account, NEW.provider, NEW.workspace, NEW.key_id, NEW.model,
        NEW.currency, CASE WHEN NEW.bucket_width = 'month' THEN 1 ELSE 0 END, NEW.key_fingerprint,
        1, CASE WHEN NEW.cost_micros IS NULL THEN 0 ELSE 1 END, COALESCE(NEW.cost_micros, 0),
        NEW.input_tokens, NEW.cached_input_tokens, NEW.cache_write_tokens, NEW.output_tokens, NEW.requests,
        CASE WHEN NEW.cost_source = 'reported' AND NEW.estimated_cost_micros IS NOT NULL THEN COALESCE(NEW.cost_micros, 0) ELSE 0 END,
        CASE WHEN NEW.cost_source = 'reported' AND NEW.cost_micros IS NOT NULL THEN COALESCE(NEW.estimated_cost_micros, 0) ELSE 0 END)
    ON CONFLICT (day, account, workspace, key_id, model, currency, is_month, provider) DO UPDATE SET
        key_fingerprint = COALESCE(excluded.key_fingerprint, key_fingerprint),
        buckets = buckets + excluded.buckets,
        priced_buckets = priced_buckets + excluded.priced_buckets,
        cost_micros = cost_micros + excluded.cost_micros,
        input_tokens = input_tokens + excluded.input_tokens,
        cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        requests = requests + excluded.requests,
        reported_micros = reported_micros + excluded.reported_micros,
        estimated_micros = estimated_micros + excluded.estimated_micros;
END;

CREATE TRIGGER usage_daily_delete AFTER DELETE ON usage_records
BEGIN
    UPDATE usage_daily SET
        buckets = buckets - 1,
        priced_buckets = priced_buckets - CASE WHEN OLD.cost_micros IS NULL THEN 0 ELSE 1 END,
        cost_micros = cost_micros - COALESCE(OLD.cost_micros, 0),
        input_tokens = input_tokens - OLD.input_tokens,
        cached_input_tokens = cached_input_tokens - OLD.cached_input_tokens,
        cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
        output_tokens = output_tokens - OLD.output_tokens,
        requests = requests - OLD.requests,
        reported_micros = reported_micros - CASE WHEN OLD.cost_source = 'reported' AND OLD.estimated_cost_micros IS NOT NULL THEN COALESCE(OLD.cost_micros, 0) ELSE 0 END,
        estimated_micros = estimated_micros - CASE WHEN OLD.cost_source = 'reported' AND OLD.cost_micros IS NOT NULL THEN COALESCE(OLD.estimated_cost_micros, 0) ELSE 0 END
    WHERE day = OLD.bucket_start - (OLD.bucket_start % 86400) AND account = OLD.account AND workspace = OLD.workspace
      AND key_id = OLD.key_id AND model = OLD.model AND currency = OLD.currency
      AND is_month = CASE WHEN OLD.bucket_width = 'month' THEN 1 ELSE 0 END AND provider = OLD.provider;
    DELETE FROM usage_daily
    WHERE buckets = 0 AND day = OLD.bucket_start - (OLD.bucket_start % 86400) AND account = OLD.account
      AND workspace = OLD.workspace AND key_id = OLD.key_id AND model = OLD.model AND currency = OLD.currency
      AND is_month = CASE WHEN OLD.bucket_width = 'month' THEN 1 ELSE 0 END AND provider = OLD.provider;
END;

-- An upsert's DO UPDATE is an UPDATE: take the old row out and put the new one in (same statements as above).
CREATE TRIGGER usage_daily_update AFTER UPDATE ON usage_records
BEGIN
    UPDATE usage_daily SET
        buckets = buckets - 1,
        priced_buckets = priced_buckets - CASE WHEN OLD.cost_micros IS NULL THEN 0 ELSE 1 END,
        cost_micros = cost_micros - COALESCE(OLD.cost_micros, 0),
        input_tokens = input_tokens - OLD.input_tokens,
        cached_input_tokens = cached_input_tokens - OLD.cached_input_tokens,
        cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
        output_tokens = output_tokens - OLD.output_tokens,
        requests = requests - OLD.requests,
        reported_micros = reported_micros - CASE WHEN OLD.cost_source = 'reported' AND OLD.estimated_cost_micros IS NOT NULL THEN COALESCE(OLD.cost_micros, 0) ELSE 0 END,
        estimated_micros = estimated_micros - CASE WHEN OLD.cost_source = 'reported' AND OLD.cost_micros IS NOT NULL THEN COALESCE(OLD.estimated_cost_micros, 0) ELSE 0 END
    WHERE day = OLD.bucket_start - (OLD.bucket_start % 86400) AND account = OLD.account AND workspace = OLD.workspace
      AND key_id = OLD.key_id AND model = OLD.model AND currency = OLD.currency
      AND is_month = CASE WHEN OLD.bucket_width = 'month' THEN 1 ELSE 0 END AND provider = OLD.provider;
    DELETE FROM usage_daily
    WHERE buckets = 0 AND day = OLD.bucket_start - (OLD.bucket_start % 86400) AND account = OLD.account
      AND workspace = OLD.workspace AND key_id = OLD.key_id AND model = OLD.model AND currency = OLD.currency
      AND is_month = CASE WHEN OLD.bucket_width = 'month' THEN 1 ELSE 0 END AND provider = OLD.provider;
    INSERT INTO usage_daily (day, account, provider, workspace, key_id, model, currency, is_month, key_fingerprint,
        buckets, priced_buckets, cost_micros, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests,
        reported_micros, estimated_micros)
    VALUES (NEW.bucket_start - (NEW.bucket_start % 86400), NEW.account, NEW.provider, NEW.workspace, NEW.key_id, NEW.model,
        NEW.currency, CASE WHEN NEW.bucket_width = 'month' THEN 1 ELSE 0 END, NEW.key_fingerprint,
        1, CASE WHEN NEW.cost_micros IS NULL THEN 0 ELSE 1 END, COALESCE(NEW.cost_micros, 0),
        NEW.input_tokens, NEW.cached_input_tokens, NEW.cache_write_tokens, NEW.output_tokens, NEW.requests,
        CASE WHEN NEW.cost_source = 'reported' AND NEW.estimated_cost_micros IS NOT NULL THEN COALESCE(NEW.cost_micros, 0) ELSE 0 END,
        CASE WHEN NEW.cost_source = 'reported' AND NEW.cost_micros IS NOT NULL THEN COALESCE(NEW.estimated_cost_micros, 0) ELSE 0 END)
    ON CONFLICT (day, account, workspace, key_id, model, currency, is_month, provider) DO UPDATE SET
        key_fingerprint = COALESCE(excluded.key_fingerprint, key_fingerprint),
        buckets = buckets + excluded.buckets,
        priced_buckets = priced_buckets + excluded.priced_buckets,
        cost_micros = cost_micros + excluded.cost_micros,
        input_tokens = input_tokens + excluded.input_tokens,
        cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        requests = requests + excluded.requests,
        reported_micros = reported_micros + excluded.reported_micros,
        estimated_micros = estimated_micros + excluded.estimated_micros;
END;

CREATE INDEX ix_usage_daily_account ON usage_daily (account, day);

-- The unpriced-models list reads usage_records directly (it needs the unpriced buckets' own tokens); this index is
-- empty while everything has a price.
CREATE INDEX ix_usage_records_unpriced ON usage_records (bucket_start) WHERE cost_micros IS NULL;
