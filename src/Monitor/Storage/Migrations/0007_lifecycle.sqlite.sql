-- Model and key lifecycles. Both tables are written inside a pull's inventory transaction, so history survives
-- restarts and is shared by every node.

-- What each alias (mistral-large-latest) resolved to, from when: a new row whenever the provider's list moves it.
CREATE TABLE model_alias_history (
    account        TEXT   NOT NULL,
    alias          TEXT   NOT NULL,
    model          TEXT   NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    PRIMARY KEY (account, alias, first_seen_at)
);

-- Each key's status over time (active, disabled, deleted, ...): a row whenever a listing shows a new status, so a
-- revoked key's usage can be dated against the moment it was revoked.
CREATE TABLE key_status_history (
    account     TEXT   NOT NULL,
    key_id      TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    changed_at  BIGINT NOT NULL,
    PRIMARY KEY (account, key_id, changed_at)
);
