"""OIDC/JWT sign-in: a JWT from the provider's key names an actor of the actors file;
every forgery, expiry, wrong issuer or audience, or unknown actor is a 401 problem;
bearer tokens keep working beside it. Keys are made here, by the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from scr_engine import MemoryStore
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from scr_engine.errors import InvalidRequest
from scr_engine.service import JwtVerifier
from support.jwks import serving_keys
from support.serving import OUTSIDER, Service, running

ISSUER = "https://id.council.example"
AUDIENCE = "scr-service"

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": BOARD_CHAIR.id,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(key: Any = KEY, algorithm: str = "RS256", **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm=algorithm)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _hs256_with_the_public_key() -> str:
    """Algorithm confusion: HS256 "signed" with the PEM public key as the secret
    (PyJWT will not make one, so it is made by hand)."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(PEM, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def _unsigned() -> str:
    head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{head}.{_b64(json.dumps(_claims()).encode())}."


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    verifier = JwtVerifier(ISSUER, AUDIENCE, public_key=PEM, algorithms=("RS256", "ES256"))
    with running(MemoryStore(), tmp_path_factory.mktemp("jwt"), jwt=verifier) as found:
        found.engine.submit(demo_request(), REQUESTER)
        yield found


def _get(service: Service, token: str) -> Any:
    return service.http.get("/v1/reviews", headers={"Authorization": f"Bearer {token}"})


def test_a_verified_jwt_acts_as_its_actor(service: Service) -> None:
    chair = _get(service, _signed())
    assert chair.status_code == 200, chair.text
    assert [r["reference"] for r in chair.json()["reviews"]] == ["SCR-2026-001"]
    outsider = _get(service, _signed(sub=OUTSIDER.id))
    assert outsider.status_code == 200 and outsider.json()["reviews"] == []


def test_bearer_tokens_keep_working(service: Service) -> None:
    response = service.http.get("/v1/reviews", headers=service.auth(BOARD_CHAIR))
    assert response.status_code == 200


FORGED: dict[str, Callable[[], str]] = {
    "alg none": _unsigned,
    "HS256 with the public key": _hs256_with_the_public_key,
    "another key": lambda: _signed(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    "an algorithm not allowed": lambda: _signed(algorithm="RS512"),
    "an allowed algorithm not of the key": lambda: _signed(
        ec.generate_private_key(ec.SECP256R1()), "ES256"
    ),
    "expired": lambda: _signed(exp=int(time.time()) - 600, iat=int(time.time()) - 1200),
    "no expiry": lambda: _signed(exp=None),
    "another audience": lambda: _signed(aud="another-service"),
    "another issuer": lambda: _signed(iss="https://evil.example"),
    "no actor claim": lambda: _signed(sub=None),
    "an actor not in the actors file": lambda: _signed(sub="u-nobody"),
    "tampered claims": lambda: ".".join(
        [
            _signed().split(".")[0],
            _b64(json.dumps(_claims(sub=BOARD_CHAIR.id, aud=AUDIENCE, x=1)).encode()),
            _signed().split(".")[2],
        ]
    ),
}


@pytest.mark.parametrize("attack", sorted(FORGED))
def test_a_jwt_that_does_not_verify_is_refused(service: Service, attack: str) -> None:
    token = FORGED[attack]()
    response = _get(service, token)
    assert response.status_code == 401, (attack, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 401 and problem["type"].endswith("unauthenticated")
    assert token not in response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_forged_jwts_store_nothing_and_log_no_token_nor_fault(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    """Every forgery at once: each answered 401, none stores a review, and the log
    holds neither a token, nor an actor, nor a fault of the program."""
    before = len(service.engine.reviews(actor=BOARD_CHAIR))
    tokens = [FORGED[attack]() for attack in sorted(FORGED)]
    with caplog.at_level(logging.DEBUG, logger="scr_engine"):
        for token in tokens:
            response = service.http.post(
                "/v1/reviews", json={"request": {}}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, response.text
    assert len(service.engine.reviews(actor=BOARD_CHAIR)) == before
    logged = caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], logged
    assert all(token.split(".")[1] not in logged for token in tokens)
    assert BOARD_CHAIR.id not in logged and "u-nobody" not in logged


def test_nothing_is_stored_by_a_forged_jwt(service: Service) -> None:
    before = len(service.engine.reviews(actor=BOARD_CHAIR))
    response = service.http.post(
        "/v1/reviews",
        json={"request": {}},
        headers={"Authorization": f"Bearer {_hs256_with_the_public_key()}"},
    )
    assert response.status_code == 401
    assert len(service.engine.reviews(actor=BOARD_CHAIR)) == before


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"public_key": PEM, "algorithms": ("HS256",)}, "algorithms"),
        ({"public_key": PEM, "algorithms": ("none",)}, "algorithms"),
        ({"public_key": PEM, "algorithms": ()}, "algorithms"),
        ({}, "public_key"),
        ({"public_key": PEM, "jwks_url": "https://id.example/jwks"}, "public_key"),
        ({"public_key": b"not a key"}, "public_key"),
        ({"jwks_url": "file:///etc/passwd"}, "jwks_url"),
        ({"jwks_url": 5}, "jwks_url"),
        ({"public_key": PEM, "algorithms": "RS256,HS256"}, "algorithms"),
        ({"public_key": PEM, "actor_claim": ""}, "actor_claim"),
    ],
)
def test_a_configuration_it_cannot_use_is_refused(options: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        JwtVerifier(ISSUER, AUDIENCE, **options)
    assert field in [r.field for r in caught.value.refusals]


def test_a_pem_given_as_text_and_algorithms_as_one_text_are_taken() -> None:
    verifier = JwtVerifier(ISSUER, AUDIENCE, public_key=PEM.decode("ascii"), algorithms="RS256")
    assert verifier.algorithms == ("RS256",)
    assert verifier.actor_of(_signed()) == BOARD_CHAIR.id


@pytest.fixture
def jwks() -> Iterator[tuple[str, Any]]:
    """A JWKS endpoint on a free port publishing one EC key: its URL and the key."""
    key = ec.generate_private_key(ec.SECP256R1())
    with serving_keys() as provider:
        provider.publish(key, "k1")
        yield provider.url, key


def test_keys_from_a_jwks_url(jwks: tuple[str, Any]) -> None:
    url, key = jwks
    verifier = JwtVerifier(ISSUER, AUDIENCE, jwks_url=url, actor_claim="scr_actor")
    token = jwt.encode(_claims(scr_actor="u-bm"), key, algorithm="ES256", headers={"kid": "k1"})
    assert verifier.actor_of(token) == "u-bm"
    other = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(_claims(scr_actor="u-bm"), other, algorithm="ES256", headers={"kid": "k1"})
    unknown_kid = jwt.encode(
        _claims(scr_actor="u-bm"), key, algorithm="ES256", headers={"kid": "k9"}
    )
    from scr_engine.service.oidc import JwtRefused

    for token in (forged, unknown_kid):
        with pytest.raises(JwtRefused):
            verifier.actor_of(token)


def test_a_token_whose_algorithm_is_not_its_key_s_is_refused() -> None:
    """An allowed algorithm of another kind of key than the issuer's (PyJWT raises a
    TypeError for it, not a refusal): refused, never a fault of the program."""
    rsa_verifier = JwtVerifier(ISSUER, AUDIENCE, public_key=PEM, algorithms=("RS256", "ES256"))
    p384 = ec.generate_private_key(ec.SECP384R1())
    p384_pem = p384.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ec_verifier = JwtVerifier(ISSUER, AUDIENCE, public_key=p384_pem, algorithms=("ES256", "ES384"))
    from scr_engine.service.oidc import JwtRefused

    for verifier, token in (
        (rsa_verifier, _signed(ec.generate_private_key(ec.SECP256R1()), "ES256")),
        (ec_verifier, _signed(ec.generate_private_key(ec.SECP256R1()), "ES256")),
        (ec_verifier, _signed(KEY, "RS256")),
    ):
        with pytest.raises(JwtRefused):
            verifier.actor_of(token)
    assert ec_verifier.actor_of(_signed(p384, "ES384")) == BOARD_CHAIR.id
