"""Sessions over GraphQL: login, access JWTs, refresh-token rotation and reuse, logout, and
signing-key rotation (tenant API keys: `tests/resolvers/api_keys`)."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from typing import Any

import asyncpg
import httpx
from joserfc import jws, jwt
from joserfc.jwk import OctKey

from tests.conftest import OWNER_PASSWORD, TenantFixture, bearer_headers, gql, login
from wabotiq.app import create_app
from wabotiq.auth.tokens import InvalidToken, JwtSigner, digest
from wabotiq.core.ids import from_global_id
from wabotiq.core.settings import Settings
from wabotiq.db.connection import credentials_from_url

UNAUTHORIZED_BODY = {
    "errors": [{"message": "Unauthorized.", "extensions": {"code": "UNAUTHENTICATED"}}]
}

ME = "{ me { kind scopes user { email } tenant { tenantId } apiKey { prefix } } }"

REFRESH = """
mutation($token: String!) {
  refreshToken(input: {refreshToken: $token}) {
    session { accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt user { email } }
    userErrors { field message code }
  }
}
"""

LOGOUT = """
mutation($token: String!) {
  logout(input: {refreshToken: $token}) { ok userErrors { field message code } }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def _refresh(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    body = await gql(client, REFRESH, {"token": token})
    assert body.get("errors") is None, body
    return body["data"]["refreshToken"]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _raw(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME}, headers=headers)


async def _committed_rows(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Read through a separate connection: only committed data is visible there."""
    creds = credentials_from_url(database_url)
    conn = await asyncpg.connect(
        host=creds["host"],
        port=creds["port"],
        user=creds["user"],
        password=creds["password"] or None,
        database=creds["database"],
    )
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def _sign(claims: dict[str, Any], *, kid: str, secret: str) -> str:
    return jwt.encode({"alg": "HS256", "kid": kid}, claims, OctKey.import_key(secret, {"kid": kid}))


def _claims(user_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "wabotiq",
        "sub": user_id,
        "iat": now,
        "exp": now + 600,
        "jti": secrets.token_hex(8),
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def _random_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()


async def _owner_user_id(client: httpx.AsyncClient, tenant: TenantFixture) -> str:
    headers = await bearer_headers(client, tenant)
    body = await gql(client, "{ me { user { id } } }", headers=headers)
    return from_global_id(body["data"]["me"]["user"]["id"], "User")


# --- login ---------------------------------------------------------------------------------


async def test_login_returns_a_session_for_the_right_password(client, make_tenant):
    tenant = await make_tenant()
    body = await gql(
        client,
        """mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) {
             session { accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
                       user { email } }
             userErrors { code } } }""",
        {"e": tenant.owner_email.upper(), "p": OWNER_PASSWORD},
    )
    assert body.get("errors") is None, body
    payload = body["data"]["login"]
    assert payload["userErrors"] == []
    session = payload["session"]
    assert session["user"]["email"] == tenant.owner_email
    assert session["accessToken"].count(".") == 2
    assert session["refreshToken"].startswith("wbr_")
    assert session["accessTokenExpiresAt"] < session["refreshTokenExpiresAt"]


async def test_wrong_password_and_unknown_email_are_refused_alike(client, make_tenant):
    tenant = await make_tenant()
    wrong_password = await login(client, tenant.owner_email, "not the password at all")
    unknown_email = await login(client, f"nobody-{uuid.uuid4().hex}@example.com", OWNER_PASSWORD)
    assert wrong_password["session"] is None
    assert unknown_email["session"] is None
    assert wrong_password["userErrors"] == unknown_email["userErrors"]
    assert len(wrong_password["userErrors"]) == 1
    assert wrong_password["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_access_token_with_tenant_header_acts_as_the_member(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    body = await gql(client, ME, headers=headers)
    assert body.get("errors") is None, body
    me = body["data"]["me"]
    assert me["kind"] == "USER"
    assert me["user"]["email"] == tenant.owner_email
    assert me["tenant"]["tenantId"] == tenant.id
    assert me["apiKey"] is None
    assert "users:manage" in me["scopes"]


async def test_access_token_for_another_tenant_is_unauthorized(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    headers = await bearer_headers(client, tenant)
    response = await _raw(client, {**headers, "X-Tenant-ID": other.id})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY


# --- refresh tokens ------------------------------------------------------------------------


async def test_refresh_returns_a_new_pair_and_spends_the_old_token(client, make_tenant):
    tenant = await make_tenant()
    first = (await login(client, tenant.owner_email, tenant.password))["session"]

    refreshed = await _refresh(client, first["refreshToken"])
    assert refreshed["userErrors"] == []
    second = refreshed["session"]
    assert second["user"]["email"] == tenant.owner_email
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]

    new_headers = {"Authorization": f"Bearer {second['accessToken']}", "X-Tenant-ID": tenant.id}
    me = await gql(client, ME, headers=new_headers)
    assert me["data"]["me"]["user"]["email"] == tenant.owner_email

    again = await _refresh(client, first["refreshToken"])
    assert again["session"] is None
    assert _codes(again) == ["REFRESH_TOKEN_REUSED"]


async def test_reusing_a_refresh_token_revokes_its_whole_family(client, make_tenant, database_url):
    tenant = await make_tenant()
    first = (await login(client, tenant.owner_email, tenant.password))["session"]
    other_login = (await login(client, tenant.owner_email, tenant.password))["session"]
    second = (await _refresh(client, first["refreshToken"]))["session"]
    third = (await _refresh(client, second["refreshToken"]))["session"]

    reused = await _refresh(client, first["refreshToken"])
    assert _codes(reused) == ["REFRESH_TOKEN_REUSED"]
    assert reused["session"] is None

    # The newest token of the family no longer works ...
    newest = await _refresh(client, third["refreshToken"])
    assert newest["session"] is None
    assert _codes(newest) == ["INVALID_REFRESH_TOKEN"]

    # ... and the revocation is committed: another connection sees the whole family revoked.
    rows = await _committed_rows(
        database_url,
        "SELECT t.revoked_at FROM public.refresh_tokens t JOIN public.users u ON u.id = t.user_id"
        " WHERE u.email = $1 AND t.family_id = (SELECT family_id FROM public.refresh_tokens"
        " WHERE token_hash = $2)",
        tenant.owner_email,
        digest(third["refreshToken"]),
    )
    assert len(rows) == 3
    assert all(row["revoked_at"] is not None for row in rows)

    # Another login (another family) of the same person is untouched.
    unrelated = await _refresh(client, other_login["refreshToken"])
    assert unrelated["userErrors"] == []
    assert unrelated["session"] is not None


async def test_garbage_refresh_token_is_invalid(client):
    payload = await _refresh(client, "wbr_" + secrets.token_urlsafe(32))
    assert payload["session"] is None
    assert _codes(payload) == ["INVALID_REFRESH_TOKEN"]


async def test_logout_revokes_the_session(client, make_tenant):
    tenant = await make_tenant()
    session = (await login(client, tenant.owner_email, tenant.password))["session"]
    body = await gql(client, LOGOUT, {"token": session["refreshToken"]})
    assert body["data"]["logout"] == {"ok": True, "userErrors": []}

    after = await _refresh(client, session["refreshToken"])
    assert after["session"] is None
    assert _codes(after) == ["INVALID_REFRESH_TOKEN"]

    unknown = await gql(client, LOGOUT, {"token": "wbr_" + secrets.token_urlsafe(32)})
    assert unknown["data"]["logout"]["ok"] is False


async def test_logout_also_ends_tokens_already_rotated_from_the_login(client, make_tenant):
    tenant = await make_tenant()
    first = (await login(client, tenant.owner_email, tenant.password))["session"]
    second = (await _refresh(client, first["refreshToken"]))["session"]
    body = await gql(client, LOGOUT, {"token": first["refreshToken"]})
    assert body["data"]["logout"]["ok"] is True
    after = await _refresh(client, second["refreshToken"])
    assert _codes(after) == ["INVALID_REFRESH_TOKEN"]


# --- bad credentials all look the same ----------------------------------------------------


async def test_bad_bearer_tokens_all_get_the_same_401(client, make_tenant, settings):
    tenant = await make_tenant()
    user_id = await _owner_user_id(client, tenant)
    kid = settings.jwt_active_kid
    secret = settings.jwt_keys[kid]
    valid = _sign(_claims(user_id), kid=kid, secret=secret)

    # The hand-made token is accepted, so every refusal below is about what was changed.
    ok = await _raw(client, {"Authorization": f"Bearer {valid}", "X-Tenant-ID": tenant.id})
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["me"]["user"]["email"] == tenant.owner_email

    header, payload, signature = valid.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    bad_tokens = {
        "expired": _sign(_claims(user_id, exp=int(time.time()) - 60), kid=kid, secret=secret),
        "forged": _sign(_claims(user_id), kid=kid, secret=_random_secret()),
        "tampered signature": f"{header}.{payload}.{flipped}",
        "unknown kid": _sign(_claims(user_id), kid="k-unknown", secret=_random_secret()),
        "unknown kid, real secret": _sign(_claims(user_id), kid="k-unknown", secret=secret),
        "wrong issuer": _sign(_claims(user_id, iss="someone-else"), kid=kid, secret=secret),
        "not an access token": _sign(_claims(user_id, typ="refresh"), kid=kid, secret=secret),
        "not a uuid subject": _sign(_claims("root"), kid=kid, secret=secret),
        "garbage": "not-a-jwt",
        "garbage with dots": "a.b.c",
    }
    for name, token in bad_tokens.items():
        response = await _raw(
            client, {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant.id}
        )
        assert response.status_code == 401, name
        assert response.json() == UNAUTHORIZED_BODY, name


async def test_wrong_authorization_schemes_get_the_same_401(client, make_tenant):
    tenant = await make_tenant()
    headers = await bearer_headers(client, tenant)
    token = headers["Authorization"].removeprefix("Bearer ")
    for value in (f"Token {token}", f"Basic {token}", token, "Bearer", "Bearer   "):
        response = await _raw(client, {"Authorization": value, "X-Tenant-ID": tenant.id})
        assert response.status_code == 401, value
        assert response.json() == UNAUTHORIZED_BODY, value
        assert len(response.headers.get_list("x-request-id")) == 1, value
    wrong_key = await _raw(client, tenant.key_headers("wbk_" + secrets.token_hex(20)))
    assert wrong_key.status_code == 401
    assert wrong_key.json() == UNAUTHORIZED_BODY


async def test_old_kid_still_verifies_while_it_is_configured(client, make_tenant, settings):
    tenant = await make_tenant()
    old_headers = await bearer_headers(client, tenant)
    old_token = old_headers["Authorization"].removeprefix("Bearer ")
    new_kid = "k-rotated"

    rotated = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        jwt_keys={**settings.jwt_keys, new_kid: _random_secret()},
        jwt_active_kid=new_kid,
        field_encryption_keys=settings.field_encryption_keys,
        lookup_hash_key=settings.lookup_hash_key,
    )
    signer = JwtSigner(rotated)
    # The old token (signed with the old, still configured kid) verifies under the new set ...
    user_id = await _owner_user_id(client, tenant)
    assert str(signer.verify_access(old_token).user_id) == user_id
    # ... new tokens are signed with the new kid, and verify too.
    new_token, _ = signer.issue_access(uuid.UUID(user_id))
    assert jws.extract_compact(new_token.encode()).protected["kid"] == new_kid
    assert str(signer.verify_access(new_token).user_id) == user_id

    # Once the old kid is dropped, its tokens stop verifying.
    retired = rotated.model_copy(update={"jwt_keys": {new_kid: rotated.jwt_keys[new_kid]}})
    try:
        JwtSigner(retired).verify_access(old_token)
    except InvalidToken:
        pass
    else:
        raise AssertionError("a token signed by a removed kid still verified")

    # End to end: an app running the rotated keys accepts the old token; the current app
    # (which does not know the new kid) refuses the new one with the usual 401.
    rotated_app = create_app(rotated, database_url=settings.database_url, manage_db=False)
    transport = httpx.ASGITransport(app=rotated_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c2:
        response = await _raw(c2, old_headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["me"]["user"]["email"] == tenant.owner_email
    unknown = await _raw(client, {"Authorization": f"Bearer {new_token}", "X-Tenant-ID": tenant.id})
    assert unknown.status_code == 401
    assert unknown.json() == UNAUTHORIZED_BODY
