"""JWT sign-in with keys from the identity provider's JWKS URL, against a provider
served by the test: keys rotated in are taken, and a provider down, slow or answering
junk makes JWT sign-in answer 503 at once (never 500, never a hang) while bearer
tokens keep working."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from scr_engine import MemoryStore
from scr_engine.demo import BOARD_CHAIR
from scr_engine.service import JwtVerifier, _jwks
from support.jwks import Provider, serving_keys
from support.serving import Service, running

ISSUER = "https://id.council.example"
AUDIENCE = "scr-service"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def _token(key: Any, kid: str, algorithm: str = "RS256") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": BOARD_CHAIR.id, "iat": now, "exp": now + 600}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    monkeypatch.setattr(_jwks, "FETCH_SECONDS", 0.5)
    monkeypatch.setattr(_jwks, "RETRY_SECONDS", 0.3)
    with serving_keys() as found:
        found.publish(RSA_KEY, "r1")
        found.publish(EC_KEY, "e1")
        yield found


@pytest.fixture
def service(provider: Provider, tmp_path: Path) -> Iterator[Service]:
    verifier = JwtVerifier(ISSUER, AUDIENCE, jwks_url=provider.url)
    with running(MemoryStore(), tmp_path, jwt=verifier) as found:
        yield found


def _get(service: Service, token: str) -> httpx.Response:
    return service.http.get("/v1/reviews", headers={"Authorization": f"Bearer {token}"})


def test_rsa_and_ec_keys_and_a_key_rotated_in_are_taken(
    service: Service, provider: Provider
) -> None:
    assert _get(service, _token(RSA_KEY, "r1")).status_code == 200
    assert _get(service, _token(EC_KEY, "e1", "ES256")).status_code == 200
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provider.publish(new, "r2")
    time.sleep(0.4)  # past the pause between fetches for an unknown kid
    assert _get(service, _token(new, "r2")).status_code == 200
    unknown = _get(service, _token(new, "r9"))
    assert unknown.status_code == 401
    assert unknown.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("mode", ["error", "junk", "not an object", "no keys", "hang", "drip"])
def test_a_provider_that_fails_answers_503_and_bearer_tokens_still_work(
    service: Service, provider: Provider, mode: str
) -> None:
    provider.mode = mode
    started = time.monotonic()
    response = _get(service, _token(RSA_KEY, "r1"))
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(":unavailable")
    assert provider.url not in response.text and "127.0.0.1" not in response.text
    assert time.monotonic() - started < 3
    fetches = provider.fetches
    again = _get(service, _token(RSA_KEY, "r1"))  # within the pause: not asked again
    assert again.status_code == 503 and provider.fetches == fetches
    assert service.http.get("/v1/reviews", headers=service.auth(BOARD_CHAIR)).status_code == 200
    provider.mode = "ok"
    time.sleep(0.4)
    assert _get(service, _token(RSA_KEY, "r1")).status_code == 200


def test_a_hanging_provider_holds_no_request_long(service: Service, provider: Provider) -> None:
    """Many JWT callers at once while the provider hangs: one fetch waits its time,
    the others are answered 503 without each waiting for a fetch of its own; a bearer
    token's caller is answered meanwhile."""
    provider.mode = "hang"
    token = _token(RSA_KEY, "r1")
    started = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        calls = [pool.submit(_get, service, token) for _ in range(20)]
        bearer = service.http.get("/v1/reviews", headers=service.auth(BOARD_CHAIR))
        statuses = {call.result().status_code for call in calls}
    assert bearer.status_code == 200
    assert statuses == {503}
    assert time.monotonic() - started < 5
    assert provider.fetches <= 2
