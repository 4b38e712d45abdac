"""The local Twilio answers as Twilio's Messages API does and keeps what it was sent."""

from __future__ import annotations

import httpx

from wabotiq.chat.twilio import LocalTwilio

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "local-token"
MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


async def test_a_message_is_created_queued_with_a_sid_and_kept():
    twilio = LocalTwilio(account_sid=SID, auth_token=TOKEN)
    async with httpx.AsyncClient(transport=twilio.transport) as client:
        response = await client.post(
            MESSAGES,
            data={"To": "whatsapp:+254712000100", "From": "whatsapp:+254700000100",
                  "Body": "Karibu!"},
            auth=(SID, TOKEN),
        )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["sid"].startswith("SM") and len(body["sid"]) == 34
    assert (body["status"], body["to"], body["body"]) == ("queued", "whatsapp:+254712000100",
                                                           "Karibu!")  # fmt: skip
    assert [(m.sid, m.to, m.body) for m in twilio.sent] == [
        (body["sid"], "whatsapp:+254712000100", "Karibu!")
    ]


async def test_wrong_credentials_unknown_paths_and_empty_bodies_are_refused_like_twilio():
    twilio = LocalTwilio(account_sid=SID, auth_token=TOKEN)
    form = {"To": "whatsapp:+254712000100", "Body": "x"}
    async with httpx.AsyncClient(transport=twilio.transport) as client:
        wrong = await client.post(MESSAGES, data=form, auth=(SID, "other"))
        other = await client.post(MESSAGES.replace("Messages", "Calls"), data=form,
                                  auth=(SID, TOKEN))  # fmt: skip
        empty = await client.post(MESSAGES, data={"To": form["To"]}, auth=(SID, TOKEN))
    assert (wrong.status_code, wrong.json()["code"]) == (401, 20003)
    assert (other.status_code, other.json()["code"]) == (404, 20404)
    assert (empty.status_code, empty.json()["code"]) == (400, 21602)
    assert twilio.sent == []
