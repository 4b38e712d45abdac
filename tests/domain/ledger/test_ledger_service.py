"""The ledger: balanced, idempotent, immutable postings whose balances the database guards."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from asyncpg.exceptions import CheckViolationError
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tests.conftest import MakeTenant
from wabotiq.core.tenant import TenantRef, tenant_context
from wabotiq.domain.ledger import service
from wabotiq.domain.ledger.errors import LedgerError, LedgerErrorCode
from wabotiq.domain.ledger.models import Account, Entry, Transaction

D = Decimal


def _key() -> str:
    return uuid.uuid4().hex


async def _fund(amount: str, key: str | None = None) -> Transaction:
    """Money paid in through M-Pesa and made available to the tenant."""
    return await service.post(
        key or _key(),
        [("clearing:mpesa", -D(amount), "KES"), ("available", D(amount), "KES")],
        reference="payment",
    )


async def test_a_balanced_posting_moves_the_balances_of_its_accounts(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("100.00")
            await service.post(
                _key(),
                [
                    ("available", D("-30.00"), "KES"),
                    ("pending_withdrawal", D("29.00"), "KES"),
                    ("fees", D("1.00"), "KES"),
                ],
            )
        assert await service.balance("available") == D("70.00")
        assert await service.balance("clearing:mpesa") == D("-100.00")
        assert await service.balance("pending_withdrawal") == D("29.00")
        assert await service.balance("fees") == D("1.00")
        assert await service.balance("platform_revenue") == D("0.00")
        page = await service.entries("available")
        assert [e.amount for e in page] == [D("100.00"), D("-30.00")]
        assert [e.amount for e in await service.entries("available", after_id=page[0].id)] == [
            D("-30.00")
        ]


async def test_an_unbalanced_posting_is_refused_and_stores_nothing(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            with pytest.raises(LedgerError) as refused:
                await service.post(
                    _key(), [("clearing:mpesa", D("-10.00"), "KES"), ("available", D("9"), "KES")]
                )
        assert refused.value.code == LedgerErrorCode.UNBALANCED
        assert await Transaction.all().count() == 0
        assert await Entry.all().count() == 0


async def test_the_database_refuses_to_commit_an_unbalanced_transaction(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("5.00")
        account = await Account.get(code="available")
        # Checked at commit, where the driver's error reaches the caller as it is.
        with pytest.raises(CheckViolationError):
            async with in_transaction():
                made = await Transaction.create(id=uuid.uuid4(), idempotency_key=_key())
                await Entry.create(
                    transaction_id=made.id, account_id=account.id, amount=D("1"), currency="KES"
                )
        assert await Transaction.all().count() == 1


async def test_a_replay_returns_the_recorded_transaction_and_a_different_one_is_refused(
    make_tenant: MakeTenant,
):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            first = await _fund("10.00", key="pay-1")
        async with in_transaction():
            again = await _fund("10.00", key="pay-1")
        assert again.id == first.id
        assert await service.balance("available") == D("10.00")
        async with in_transaction():
            with pytest.raises(LedgerError) as refused:
                await _fund("11.00", key="pay-1")
        assert refused.value.code == LedgerErrorCode.IDEMPOTENCY_CONFLICT
        assert await service.balance("available") == D("10.00")
        assert await Transaction.all().count() == 1


async def test_an_account_keeps_its_currency(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("10.00")
        async with in_transaction():
            with pytest.raises(LedgerError) as refused:
                await service.post(
                    _key(), [("clearing:card", D("-1"), "USD"), ("available", D("1"), "USD")]
                )
        assert refused.value.code == LedgerErrorCode.CURRENCY_MISMATCH
        assert await service.balance("available") == D("10.00")


async def test_available_can_never_go_below_zero(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("20.00")
        async with in_transaction():
            with pytest.raises(LedgerError) as refused:
                await service.post(
                    _key(),
                    [("available", D("-20.01"), "KES"), ("pending_withdrawal", D("20.01"), "KES")],
                )
        assert refused.value.code == LedgerErrorCode.INSUFFICIENT_FUNDS
        assert await service.balance("available") == D("20.00")
        account = await Account.get(code="available")
        with pytest.raises(IntegrityError):
            async with in_transaction():
                await connections.get("default").execute_query(
                    "UPDATE ledger_balances SET balance = -1 WHERE account_id = $1", [account.id]
                )
        assert await service.balance("available") == D("20.00")


async def test_transactions_and_entries_cannot_be_changed_or_removed(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            made = await _fund("10.00")
        for statement in (
            "UPDATE ledger_entries SET amount = amount * 2",
            "DELETE FROM ledger_entries",
            "UPDATE ledger_transactions SET reference = 'changed'",
            "DELETE FROM ledger_transactions",
            "TRUNCATE ledger_entries, ledger_transactions",
        ):
            with pytest.raises(IntegrityError):
                async with in_transaction():
                    await connections.get("default").execute_query(statement)
        assert (await Transaction.get(id=made.id)).reference == "payment"
        assert sorted(e.amount for e in await Entry.filter(transaction_id=made.id)) == [
            D("-10.00"),
            D("10.00"),
        ]


async def test_a_reversal_restores_the_balances_and_happens_once(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("50.00")
            wrong = await _fund("7.00")
        async with in_transaction():
            undone = await service.reverse(wrong.id, "undo-1")
        assert undone.reverses_id == wrong.id
        assert await service.balance("available") == D("50.00")
        assert await service.balance("clearing:mpesa") == D("-50.00")
        async with in_transaction():
            assert (await service.reverse(wrong.id, "undo-1")).id == undone.id
        async with in_transaction():
            with pytest.raises(LedgerError) as refused:
                await service.reverse(wrong.id, "undo-2")
        assert refused.value.code == LedgerErrorCode.ALREADY_REVERSED
        assert await service.balance("available") == D("50.00")


async def test_concurrent_postings_on_the_same_accounts_end_exact(make_tenant: MakeTenant):
    tenant = await make_tenant()
    with tenant_context(TenantRef.of(tenant.id)):
        async with in_transaction():
            await _fund("50.00")

        async def withdraw() -> Transaction:
            async with in_transaction():
                return await service.post(
                    _key(),
                    [("available", D("-10.00"), "KES"), ("pending_withdrawal", D("10.00"), "KES")],
                )

        async def fund() -> Transaction:
            async with in_transaction():
                return await _fund("1.00")

        outcomes = await asyncio.gather(
            *(withdraw() for _ in range(10)), *(fund() for _ in range(5)), return_exceptions=True
        )
        refused = [o for o in outcomes[:10] if isinstance(o, LedgerError)]
        assert all(isinstance(o, Transaction) for o in outcomes[10:])
        assert all(r.code == LedgerErrorCode.INSUFFICIENT_FUNDS for r in refused)
        withdrawn = 10 - len(refused)
        assert all(isinstance(o, Transaction | LedgerError) for o in outcomes[:10])
        assert await service.balance("available") == D("55.00") - D("10.00") * withdrawn
        assert await service.balance("pending_withdrawal") == D("10.00") * withdrawn
        assert await service.balance("clearing:mpesa") == D("-55.00")
        # 55.00 arrives in all; whatever the order, exactly five withdrawals of 10.00 fit.
        assert withdrawn == 5
