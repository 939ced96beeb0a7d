-- A balance is prepaid credit (OpenRouter credits, a personal Kilo balance) or an allowance someone else sets and the
-- provider resets (a Kilo organisation member's daily limit, capped at the organisation's balance). Only prepaid
-- credit gets a run-out forecast; existing rows were all read as prepaid.
ALTER TABLE credit_balances ADD COLUMN kind TEXT NOT NULL DEFAULT 'prepaid';  -- prepaid | allowance
