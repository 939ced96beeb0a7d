-- Clustered mode: what each node's proxy metered toward each enforced budget, per minute, so that every node decides
-- on the spend of all nodes before it forwards the next call. Rows older than the ledger's cutoff are pruned; a single
-- node (SQLite) keeps its running totals in memory and never writes here.
CREATE TABLE enforced_spend (
    budget  TEXT   NOT NULL,
    minute  BIGINT NOT NULL,
    node    TEXT   NOT NULL,
    micros  BIGINT NOT NULL,
    PRIMARY KEY (budget, minute, node)
);
