"""Post, reverse and read ledger transactions in the current tenant's schema.

A posting locks the balance rows it moves in account-id order (two postings over the same
accounts queue instead of deadlocking), checks funds against the locked balances, then writes
the transaction, its entries and the new balances in one database transaction. Amounts are
signed: a positive amount credits the account, and an account's balance is credits minus
debits. The entries of one transaction sum to zero per currency."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wabotiq.domain.ledger.errors import LedgerError, LedgerErrorCode
from wabotiq.domain.ledger.models import Account, Balance, Entry, Transaction

CENT = Decimal("0.01")
PAGE_SIZE = 100

# What an account is, and whether it may go below zero, known from its code (the part before
# `:`); an unknown code is a liability the tenant owes, allowed to go negative.
ACCOUNT_KINDS: dict[str, tuple[str, bool]] = {
    "clearing": ("asset", False),
    "available": ("liability", True),
    "pending_withdrawal": ("liability", True),
    "fees": ("expense", False),
    "platform_revenue": ("revenue", False),
}


@dataclass(frozen=True, slots=True)
class Leg:
    """One requested entry: a signed amount in a currency on the account named by code."""

    account_code: str
    amount: Decimal
    currency: str


LegInput = Leg | tuple[str, Decimal, str]


def _legs(entries: list[LegInput]) -> list[Leg]:
    legs = []
    for raw in entries:
        leg = raw if isinstance(raw, Leg) else Leg(*raw)
        amount = Decimal(leg.amount)
        if amount != amount.quantize(CENT) or amount == 0:
            raise LedgerError(
                LedgerErrorCode.INVALID,
                f"Amount {amount} on {leg.account_code} must be non-zero whole cents.",
                field="entries",
            )
        legs.append(Leg(leg.account_code, amount.quantize(CENT), leg.currency.upper()))
    if len(legs) < 2:
        raise LedgerError(LedgerErrorCode.INVALID, "A transaction needs two entries or more.")
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for leg in legs:
        sums[leg.currency] += leg.amount
    off = {currency: total for currency, total in sums.items() if total != 0}
    if off:
        raise LedgerError(
            LedgerErrorCode.UNBALANCED,
            f"Entries do not balance: {', '.join(f'{c} {t}' for c, t in sorted(off.items()))}.",
            field="entries",
        )
    return legs


async def account(code: str, currency: str) -> Account:
    """The account named `code`, opened on first use in `currency`; a later use in another
    currency is refused."""
    kind, non_negative = ACCOUNT_KINDS.get(code.split(":", 1)[0], ("liability", False))
    db = connections.get("default")
    await db.execute_query(
        "INSERT INTO ledger_accounts (code, currency, kind, non_negative) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (code) DO NOTHING",
        [code, currency, kind, non_negative],
    )
    found = await Account.get(code=code)
    await db.execute_query(
        "INSERT INTO ledger_balances (account_id, non_negative) VALUES ($1, $2)"
        " ON CONFLICT (account_id) DO NOTHING",
        [found.id, found.non_negative],
    )
    if found.currency != currency:
        raise LedgerError(
            LedgerErrorCode.CURRENCY_MISMATCH,
            f"Account {code} holds {found.currency}, not {currency}.",
            field="entries",
        )
    return found


async def _shape(transaction: Transaction) -> list[tuple[str, Decimal, str]]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT a.code, e.amount, e.currency FROM ledger_entries e"
        " JOIN ledger_accounts a ON a.id = e.account_id WHERE e.transaction_id = $1",
        [transaction.id],
    )
    return sorted((r["code"], Decimal(r["amount"]), r["currency"].strip()) for r in rows)


async def _replay(
    idempotency_key: str, legs: list[Leg], reverses_id: uuid.UUID | None
) -> Transaction | None:
    """The transaction already recorded under the key, if its entries are the ones asked for."""
    existing = await Transaction.get_or_none(idempotency_key=idempotency_key)
    if existing is None:
        return None
    asked = sorted((leg.account_code, leg.amount, leg.currency) for leg in legs)
    if await _shape(existing) != asked or existing.reverses_id != reverses_id:
        raise LedgerError(
            LedgerErrorCode.IDEMPOTENCY_CONFLICT,
            f"Key {idempotency_key} was used for a different transaction.",
            field="idempotencyKey",
        )
    return existing


async def _lock_balances(account_ids: list[int]) -> dict[int, tuple[Decimal, bool]]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT account_id, balance, non_negative FROM ledger_balances"
        " WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE",
        [account_ids],
    )
    return {r["account_id"]: (Decimal(r["balance"]), r["non_negative"]) for r in rows}


async def _post(
    idempotency_key: str,
    legs: list[Leg],
    *,
    reference: str,
    description: str,
    reverses_id: uuid.UUID | None,
) -> Transaction:
    replayed = await _replay(idempotency_key, legs, reverses_id)
    if replayed is not None:
        return replayed
    accounts = {leg.account_code: await account(leg.account_code, leg.currency) for leg in legs}
    moves: dict[int, Decimal] = defaultdict(Decimal)
    for leg in legs:
        moves[accounts[leg.account_code].id] += leg.amount
    locked = await _lock_balances(sorted(moves))
    for account_id, move in moves.items():
        balance, non_negative = locked[account_id]
        if non_negative and balance + move < 0:
            code = next(a.code for a in accounts.values() if a.id == account_id)
            raise LedgerError(
                LedgerErrorCode.INSUFFICIENT_FUNDS,
                f"Account {code} holds {balance}; it cannot move {move}.",
                field="entries",
            )
    try:
        async with in_transaction():
            transaction = await Transaction.create(
                id=uuid.uuid4(),
                idempotency_key=idempotency_key,
                reference=reference,
                description=description,
                reverses_id=reverses_id,
            )
            await Entry.bulk_create(
                [
                    Entry(
                        transaction_id=transaction.id,
                        account_id=accounts[leg.account_code].id,
                        amount=leg.amount,
                        currency=leg.currency,
                    )
                    for leg in legs
                ]
            )
    except IntegrityError:
        # Another posting took the key (or this reversal's target) since the replay check.
        replayed = await _replay(idempotency_key, legs, reverses_id)
        if replayed is not None:
            return replayed
        raise LedgerError(
            LedgerErrorCode.ALREADY_REVERSED, f"Transaction {reverses_id} is already reversed."
        ) from None
    db = connections.get("default")
    for account_id, move in sorted(moves.items()):
        try:
            await db.execute_query(
                "UPDATE ledger_balances SET balance = balance + $1, version = version + 1"
                " WHERE account_id = $2",
                [move, account_id],
            )
        except IntegrityError as refused:
            # The balance row's CHECK: the same rule as above, enforced where no code path
            # can skip it.
            raise LedgerError(
                LedgerErrorCode.INSUFFICIENT_FUNDS,
                f"Account {account_id} cannot go below zero.",
                field="entries",
            ) from refused
    return transaction


async def post(
    idempotency_key: str,
    entries: list[LegInput],
    *,
    reference: str = "",
    description: str = "",
) -> Transaction:
    """Record a balanced transaction once: a replay with the same key and the same entries
    returns the one recorded; the same key with other entries is refused."""
    legs = _legs(entries)
    async with in_transaction():
        return await _post(
            idempotency_key, legs, reference=reference, description=description, reverses_id=None
        )


async def reverse(transaction_id: uuid.UUID, idempotency_key: str) -> Transaction:
    """Correct a transaction by posting its entries negated; the original stays as written."""
    async with in_transaction():
        original = await Transaction.get_or_none(id=transaction_id)
        if original is None:
            raise LedgerError(LedgerErrorCode.NOT_FOUND, f"No transaction {transaction_id}.")
        legs = [Leg(code, -amount, currency) for code, amount, currency in await _shape(original)]
        already = await Transaction.get_or_none(reverses_id=transaction_id)
        if already is not None and already.idempotency_key != idempotency_key:
            raise LedgerError(
                LedgerErrorCode.ALREADY_REVERSED,
                f"Transaction {transaction_id} is already reversed.",
            )
        return await _post(
            idempotency_key,
            legs,
            reference=original.reference,
            description=f"Reversal of {transaction_id}",
            reverses_id=transaction_id,
        )


async def balance(account_code: str) -> Decimal:
    """The account's balance (credits minus debits); an account never used holds zero."""
    found = await Account.get_or_none(code=account_code)
    if found is None:
        return Decimal("0.00")
    row = await Balance.get(account_id=found.id)
    return Decimal(row.balance)


async def entries(
    account_code: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[Entry]:
    """The account's entries in posting order, from `since` (inclusive) to `until` (exclusive);
    the next page starts after the last entry's id."""
    found = await Account.get_or_none(code=account_code)
    if found is None:
        return []
    query = Entry.filter(account_id=found.id)
    if since is not None:
        query = query.filter(created_at__gte=since)
    if until is not None:
        query = query.filter(created_at__lt=until)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(min(limit, PAGE_SIZE))
