"""Ledger tables in each tenant's schema. Transactions and entries are written once; the
database refuses to change them (see the tenant migration `ledger`)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wabotiq.db.registry import register_models


class Account(Model):
    """Where money sits, named by a stable code (`available`, `clearing:mpesa`, ...); one
    currency for life."""

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=100, unique=True)
    currency = fields.CharField(max_length=3)
    kind = fields.CharField(max_length=16)
    non_negative = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "tenant"
        table = "ledger_accounts"


class Balance(Model):
    """An account's running balance (credits minus debits), kept with the entries under a
    row lock; `version` counts the postings that moved it."""

    account_id = fields.BigIntField(primary_key=True)
    balance = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    non_negative = fields.BooleanField()
    version = fields.BigIntField(default=0)

    class Meta:
        app = "tenant"
        table = "ledger_balances"


class Transaction(Model):
    """One balanced movement of money, recorded once under its idempotency key."""

    id = fields.UUIDField(primary_key=True)
    idempotency_key = fields.CharField(max_length=255, unique=True)
    reference = fields.TextField(default="")
    description = fields.TextField(default="")
    reverses_id = fields.UUIDField(null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "tenant"
        table = "ledger_transactions"


class Entry(Model):
    """One leg of a transaction: a signed amount on one account (positive credits it)."""

    id = fields.BigIntField(primary_key=True)
    transaction_id = fields.UUIDField()
    account_id = fields.BigIntField()
    amount = fields.DecimalField(max_digits=18, decimal_places=2)
    currency = fields.CharField(max_length=3)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "tenant"
        table = "ledger_entries"


register_models("tenant", __name__)
