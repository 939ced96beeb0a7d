-- The accounts with a series saved without a state (it began after the checkpoint: rebuilt next check) are found
-- through this small index, not by reading every saved state: the probe of a check after a check stays instant.
CREATE INDEX ix_anomaly_states_pending ON anomaly_states (account) WHERE state IS NULL;
