"""The tenant's double-entry ledger. Money is never updated in place: a transaction and its
entries are written once (triggers refuse UPDATE, DELETE and TRUNCATE), a correction is a
reversing transaction, and every transaction balances per currency (checked by the service
and again at commit by a deferred constraint trigger). Each account's balance row is the
running sum of its entries, updated under a row lock in the same transaction; an account
flagged non-negative carries a CHECK that refuses any balance below zero."""

SQL = """
CREATE TABLE ledger_accounts (
    id bigserial PRIMARY KEY,
    code varchar(100) NOT NULL UNIQUE,
    currency char(3) NOT NULL,
    kind varchar(16) NOT NULL
        CHECK (kind IN ('asset', 'liability', 'revenue', 'expense', 'equity')),
    non_negative boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_balances (
    account_id bigint PRIMARY KEY REFERENCES ledger_accounts (id),
    balance numeric(18, 2) NOT NULL DEFAULT 0,
    non_negative boolean NOT NULL,
    version bigint NOT NULL DEFAULT 0,
    CONSTRAINT ledger_balances_non_negative CHECK (NOT non_negative OR balance >= 0)
);

CREATE TABLE ledger_transactions (
    id uuid PRIMARY KEY,
    idempotency_key varchar(255) NOT NULL UNIQUE,
    reference text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    reverses_id uuid UNIQUE REFERENCES ledger_transactions (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id bigserial PRIMARY KEY,
    transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
    account_id bigint NOT NULL REFERENCES ledger_accounts (id),
    amount numeric(18, 2) NOT NULL CHECK (amount <> 0),
    currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, created_at, id);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows of % are immutable', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.ledger_entries WHERE transaction_id = $1 '
        'GROUP BY currency HAVING sum(amount) <> 0)', TG_TABLE_SCHEMA)
        INTO unbalanced USING NEW.transaction_id;
    IF unbalanced THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
"""
