-- The daily rollup (usage_daily, 0008) is no longer kept by row triggers, which made every ledger write about ten
-- times slower: LedgerTransaction recomputes the (account, UTC day) ranges a batch touched at commit, in the same
-- transaction (Storage/UsageRollup.cs). The rollup is rebuilt here from the ledger, so a database migrated from any
-- earlier version starts exact.
DROP TRIGGER IF EXISTS usage_daily_insert;
DROP TRIGGER IF EXISTS usage_daily_delete;
DROP TRIGGER IF EXISTS usage_daily_update;

DELETE FROM usage_daily;

-- The same statement as UsageRollup's, over the whole ledger.
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

-- The dashboard's cost currencies: one index step per currency instead of a scan of the whole 90-day range.
-- (IF NOT EXISTS: the migration may be applied again to rebuild the rollup.)
CREATE INDEX IF NOT EXISTS ix_usage_daily_currency ON usage_daily (currency, day);
