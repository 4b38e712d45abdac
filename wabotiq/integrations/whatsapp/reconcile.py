"""Settle outbound rows left `sending` (see `wabotiq.domain.conversations.sending`): never
twice, never lost in silence. Twilio can list what it holds for a customer, so a lost outcome is
looked up there and adopted, or the row is sent once more; Meta's Cloud API has no list, so a
lost outcome there is shown to a person (failed UNKNOWN_OUTCOME) and never resent blindly."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from wabotiq.domain.conversations import sending
from wabotiq.domain.conversations.models import Message, MessageStatus
from wabotiq.integrations.whatsapp.channel import ProviderRefused, ProviderUnreachable
from wabotiq.integrations.whatsapp.outbound import Attempt, Delivery, prepare, send
from wabotiq.integrations.whatsapp.twilio import Listed, TwilioChannel

logger = logging.getLogger(__name__)

# Twilio's clock against ours: its `date_created` (whole seconds) of the message our attempt
# created may read a little before our `attempted_at`.
SKEW = timedelta(seconds=60)


class Outcome(StrEnum):
    ADOPTED = "adopted"  # the provider had it: its id and status taken over
    RESENT = "resent"  # it never arrived: sent once more
    FAILED = "failed"  # nobody can tell (or the extra attempt was refused): a person decides
    LEFT = "left"  # settled by someone else meanwhile, or the provider could not be asked


@dataclass
class Reconciled:
    outcomes: dict[Outcome, int]

    @property
    def settled(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome is not Outcome.LEFT)


async def reconcile_sending(*, delivery: Delivery, limit: int = 100) -> Reconciled:
    """Settle the current tenant's stale `sending` rows, oldest first."""
    stale_s = delivery.settings.outbound_sending_stale_s
    outcomes = dict.fromkeys(Outcome, 0)
    for message in await sending.stale_sending(stale_s=stale_s, limit=limit):
        try:
            outcome = await settle(message, delivery)
        except (ProviderUnreachable, ProviderRefused) as exc:
            # Twilio could not be asked (or the extra attempt reached nobody): next sweep.
            logger.warning(
                "outbound reconciliation deferred",
                extra={"message_id": str(message.id), "error": str(exc)},
            )
            outcome = Outcome.LEFT
        outcomes[outcome] += 1
    return Reconciled(outcomes)


async def settle(message: Message, delivery: Delivery) -> Outcome:
    """Adopt, resend once, or give up on one stale row."""
    stale_s = delivery.settings.outbound_sending_stale_s
    attempt = await prepare(message, delivery)
    if not isinstance(attempt.channel, TwilioChannel):
        return await _give_up(message, stale_s)
    if message.attempted_at is None:  # never attempted: not stale, the drain sends it
        return Outcome.LEFT
    since = message.attempted_at - SKEW
    listed = await attempt.channel.sent_to(delivery.client, to=attempt.to, since=since)
    found = await _match(message, listed, since)
    if found is not None:
        async with in_transaction():
            adopted = await sending.adopt(
                message_id=message.id,
                provider_message_id=found.sid,
                status=found.status or MessageStatus.SENDING,
                error_code=found.error_code if found.status is MessageStatus.FAILED else None,
            )
        return Outcome.ADOPTED if adopted else Outcome.LEFT
    # A template's words are Twilio's, not ours: without them nothing proves it never went.
    if sending.was_resent(message) or attempt.template is not None or attempt.refusal:
        return await _give_up(message, stale_s)
    return await _resend(attempt, delivery, stale_s)


async def _match(message: Message, listed: list[Listed], since: datetime) -> Listed | None:
    """The oldest message Twilio created since the attempt (less the skew) with the row's
    words that is not yet the id of another row (the same words may go out twice)."""
    words = message.text.strip()
    if not words:
        return None
    taken = await sending.taken_provider_ids(provider_message_ids=[m.sid for m in listed])
    candidates = [
        m
        for m in listed
        if m.sid and m.sid not in taken and m.body.strip() == words
        if m.created_at is not None and m.created_at >= since
    ]
    candidates.sort(key=lambda m: m.created_at or since)
    return candidates[0] if candidates else None


async def _resend(attempt: Attempt, delivery: Delivery, stale_s: float) -> Outcome:
    async with in_transaction():  # committed before the call: a second sweep never resends
        claimed = await sending.claim_resend(message_id=attempt.message.id, stale_s=stale_s)
    if not claimed:
        return Outcome.LEFT
    sent = await send(attempt, delivery, release=sending.release_resend)
    return Outcome.RESENT if sent else Outcome.FAILED


async def _give_up(message: Message, stale_s: float) -> Outcome:
    async with in_transaction():  # the status and its event together
        failed = await sending.give_up(message_id=message.id, stale_s=stale_s)
    return Outcome.FAILED if failed else Outcome.LEFT
