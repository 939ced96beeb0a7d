-- Alert channels (email, webhooks, Slack, Teams, Alertmanager). An outbox row is one message to one channel: the
-- payload is what is sent (MIME for email, JSON for the others), composed once so a retry sends the same bytes; a
-- row a channel refused for good (a 4xx other than 429) is failed, never retried. alert_routes keeps how each channel
-- delivers each alert (immediate, digest, none), for the per-channel cooldowns and digests.
ALTER TABLE outbox RENAME COLUMN mime TO payload;
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE outbox ADD COLUMN content_type TEXT NOT NULL DEFAULT 'message/rfc822';
ALTER TABLE outbox ADD COLUMN failed_at BIGINT NULL;
CREATE INDEX outbox_channel_due ON outbox (channel, sent_at, next_attempt_at);

CREATE TABLE alert_routes (
    alert_id      BIGINT NOT NULL,
    channel       TEXT   NOT NULL,
    delivery      TEXT   NOT NULL,
    cooldown_key  TEXT   NOT NULL,
    severity      TEXT   NOT NULL,
    raised_at     BIGINT NOT NULL,
    digested_at   BIGINT NULL,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_routes_cooldown ON alert_routes (cooldown_key, channel, raised_at);
CREATE INDEX alert_routes_digest ON alert_routes (channel, delivery, digested_at);

-- Alerts raised before channels went to email alone.
INSERT INTO alert_routes (alert_id, channel, delivery, cooldown_key, severity, raised_at, digested_at)
SELECT id, 'email', delivery, cooldown_key, severity, raised_at, digested_at FROM alerts
WHERE delivery IN ('immediate', 'digest', 'none') AND cooldown_key IS NOT NULL;
-- The digest and cooldown state of alerts lives in alert_routes now, per channel.
ALTER TABLE alerts DROP COLUMN digested_at;
DROP INDEX alerts_cooldown;
ALTER TABLE alerts DROP COLUMN cooldown_key;
