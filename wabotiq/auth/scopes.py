"""Scopes and the default roles every tenant starts with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from wabotiq.auth.errors import AuthError, AuthErrorCode

SCOPES: dict[str, str] = {
    "catalog:view": "Read products, variants and categories.",
    "catalog:edit": "Create, change and archive products, variants and categories; adjust stock.",
    "services:view": "Read bookable services, staff and business hours.",
    "services:edit": "Change bookable services, staff, business hours and closures.",
    "appointments:view": "Read appointments and availability.",
    "appointments:edit": "Book, reschedule, cancel and complete appointments.",
    "orders:view": "Read carts and orders, and follow order events.",
    "orders:edit": "Create, change and cancel carts and orders.",
    "customers:view": "Read customers, including their personal data.",
    "customers:edit": "Change customers, their tags, notes and opt-out.",
    "conversations:view": "Read WhatsApp conversations and messages.",
    "handoff:perform": "Take over a conversation from the agent and hand it back.",
    "finance:view": "Read payments, the wallet ledger and withdrawals.",
    "finance:withdraw:initiate": "Start a withdrawal from the wallet.",
    "finance:withdraw:approve": "Approve a withdrawal another member started.",
    "analytics:view": "Read analytics and reports.",
    "integrations:manage": "Connect stores, payment providers and channels; manage API keys.",
    "users:manage": "Invite and remove members, change roles, read the audit log.",
}

ALL_SCOPES = frozenset(SCOPES)

DEFAULT_ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "Owner": ("Everything, including approving withdrawals.", ALL_SCOPES),
    "Admin": (
        "Runs the business day to day; cannot approve withdrawals.",
        ALL_SCOPES - {"finance:withdraw:approve"},
    ),
    "Finance Admin": (
        "Payments, wallet and withdrawals.",
        frozenset(
            {
                "finance:view",
                "finance:withdraw:initiate",
                "finance:withdraw:approve",
                "orders:view",
                "analytics:view",
            }
        ),
    ),
    "Catalog Manager": (
        "Products, services and stock.",
        frozenset({"catalog:view", "catalog:edit", "services:view", "services:edit"}),
    ),
    "Support Lead": (
        "Customers, conversations, orders and appointments.",
        frozenset(
            {
                "conversations:view",
                "handoff:perform",
                "customers:view",
                "customers:edit",
                "orders:view",
                "orders:edit",
                "appointments:view",
                "appointments:edit",
                "catalog:view",
                "services:view",
            }
        ),
    ),
    "Analyst": (
        "Reads analytics and the business's records, changes nothing.",
        frozenset(
            {"analytics:view", "catalog:view", "services:view", "orders:view", "appointments:view"}
        ),
    ),
}

OWNER_ROLE = "Owner"


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    return sorted(set(scopes) - ALL_SCOPES)


def check_grantable(scopes: Iterable[str], granted: frozenset[str]) -> None:
    """Scopes must exist, and nobody hands out a scope they do not hold themselves."""
    scopes = set(scopes)
    if unknown := unknown_scopes(scopes):
        raise AuthError(AuthErrorCode.UNKNOWN_SCOPE, f"Unknown scopes: {unknown}", field="scopes")
    if missing := sorted(scopes - granted):
        raise AuthError(
            AuthErrorCode.SCOPE_NOT_HELD,
            f"You cannot grant scopes you do not hold: {missing}",
            field="scopes",
        )


def check_manageable(scopes: Iterable[str], granted: frozenset[str], *, what: str) -> None:
    """Nobody revokes, changes or removes what holds a scope they do not hold themselves (the
    granting rule, applied to the target). Scopes no longer defined grant nothing: ignored."""
    if missing := sorted((set(scopes) & ALL_SCOPES) - granted):
        raise AuthError(
            AuthErrorCode.SCOPE_NOT_HELD,
            f"You cannot change or remove {what} holding scopes you do not hold: {missing}",
            field="id",
        )


def satisfies(granted: frozenset[str], requirement: Sequence[Sequence[str]]) -> bool:
    """Apollo's `@requiresScopes`: any inner list (AND) of the outer list (OR) fully granted."""
    return any(granted.issuperset(all_of) for all_of in requirement)
