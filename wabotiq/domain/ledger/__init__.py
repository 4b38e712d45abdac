"""The tenant's double-entry ledger: accounts, balanced immutable transactions, balances."""
