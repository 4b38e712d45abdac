"""Failed sign-in counters shared by every API process, and the addresses that have signed in
to an account before (they are spared the account-wide limit an attacker can drive)."""

SQL = """
CREATE TABLE public.login_throttle (
    key text PRIMARY KEY,
    failures double precision NOT NULL,
    counted_at timestamptz NOT NULL,
    blocked_until timestamptz
);
CREATE INDEX login_throttle_counted_at ON public.login_throttle (counted_at);

CREATE TABLE public.login_known_clients (
    account text NOT NULL,
    client text NOT NULL,
    last_success_at timestamptz NOT NULL,
    PRIMARY KEY (account, client)
);
"""
