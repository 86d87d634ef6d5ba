"""Optional OIDC/JWT sign-in for the service: a JSON Web Token from the council's
identity provider, verified with PyJWT, names an actor of the actors file.

A :class:`JwtVerifier` holds what a token must satisfy: its issuer (``iss``), its
audience (``aud``), a signature by the provider's key (a PEM public key, or the keys
its JWKS URL publishes) in one of the allowed algorithms, an expiry (``exp``) still
ahead, and a claim naming the actor (``sub`` by default; ``scr_actor``, say, when
the provider can add one). Only asymmetric algorithms are allowed: never ``none``,
never an HMAC (``HS256`` …), so that a token "signed" with the public key as a shared
secret (algorithm confusion) is refused like any other forgery.

Bearer tokens of ``scr token`` keep working beside it: a bearer that has the three
dot-separated parts of a JWT is verified here, any other is looked up in the tokens
file. This module needs PyJWT (``pip install 'scr_engine[service]'``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from scr_engine.errors import InvalidRequest, ScrEngineError
from scr_engine.errors.refusals import Refusal
from scr_engine.service._jwt_errors import JwtKeysUnavailable

__all__ = ["ALGORITHMS", "JwtKeysUnavailable", "JwtRefused", "JwtVerifier", "looks_like_jwt"]

_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
"""The curve each ECDSA algorithm signs on."""

ALGORITHMS: frozenset[str] = frozenset(
    {
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
    }
)
"""The algorithms a verifier may allow: the asymmetric ones only (no ``none``, no
``HS*``)."""


class JwtRefused(ScrEngineError, ValueError):
    """A token that does not verify; its message says why (never the token). The
    service answers it ``401``."""


def looks_like_jwt(token: str) -> bool:
    """Whether ``token`` has a JWT's three dot-separated parts (a ``scr token`` has
    none: its characters are letters, digits, ``-`` and ``_``)."""
    return token.count(".") == 2


def _algorithms(value: Iterable[str] | str) -> tuple[str, ...]:
    """The algorithms as a tuple; a text is one name, or several separated by commas
    (``"RS256"``, ``"RS256,ES256"``), never its letters one by one."""
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    return tuple(value)


def _pem(value: bytes | str | None) -> bytes | None:
    """A PEM key given as text (as read from a file in text mode) is its ASCII bytes."""
    return value.encode("ascii", "replace") if isinstance(value, str) else value


def _fits(algorithm: str, key: Any) -> bool:
    """Whether ``key`` is a key of ``algorithm``'s kind: RSA for ``RS*`` and ``PS*``,
    an EC key on the algorithm's curve for ``ES*``, Ed25519 or Ed448 for ``EdDSA``
    (PyJWT fails with a ``TypeError`` rather than a refusal for any other pairing)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if algorithm.startswith(("RS", "PS")):
        return isinstance(key, rsa.RSAPublicKey)
    if algorithm in _CURVES:
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == _CURVES[algorithm]
    return isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)


@frozen
class JwtVerifier:
    """What a JWT must satisfy to act as an actor; see the module's documentation.

    :param issuer: the ``iss`` every token must carry (the provider's issuer URL).
    :param audience: the ``aud`` every token must carry (this service's client id).
    :param public_key: the provider's public key, PEM (bytes, or text); or
    :param jwks_url: where the provider publishes its keys (fetched, then cached).
        Exactly one of the two.
    :param algorithms: the allowed algorithms, some of :data:`ALGORITHMS`.
    :param actor_claim: the claim whose value is the actor's id in the actors file.
    :param leeway: seconds of clock skew tolerated on ``exp``, ``nbf`` and ``iat``.

    Raises :class:`~scr_engine.errors.InvalidRequest` for a configuration it cannot
    use, with a refusal for each problem.
    """

    issuer: str
    audience: str
    public_key: bytes | None = field(default=None, converter=_pem)
    jwks_url: str | None = None
    algorithms: tuple[str, ...] = field(default=("RS256", "ES256"), converter=_algorithms)
    actor_claim: str = "sub"
    leeway: int = 0
    _key: Any = field(init=False, default=None, eq=False, repr=False)
    _jwks: Any = field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        refusals: list[Refusal] = []
        for name in ("issuer", "audience", "actor_claim"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                refusals.append(Refusal.input(f"{name} must be a non-empty text", name))
        if (self.public_key is None) == (self.jwks_url is None):
            refusals.append(
                Refusal.input("give exactly one of public_key (PEM) and jwks_url", "public_key")
            )
        if self.jwks_url is not None and (
            not isinstance(self.jwks_url, str)
            or not self.jwks_url.startswith(("https://", "http://"))
        ):
            refusals.append(Refusal.input("jwks_url must be an http(s) URL", "jwks_url"))
        wrong = [a for a in self.algorithms if a not in ALGORITHMS]
        if wrong or not self.algorithms:
            refusals.append(
                Refusal.input(
                    f"algorithms must be some of {', '.join(sorted(ALGORITHMS))} "
                    f"(never none or HS*), not {', '.join(wrong) or 'none at all'}",
                    "algorithms",
                )
            )
        if type(self.leeway) is not int or self.leeway < 0:
            refusals.append(Refusal.input("leeway must be a whole number of seconds", "leeway"))
        try:
            import jwt  # noqa: F401 (only whether PyJWT is installed)
        except ImportError:
            refusals.append(
                Refusal.input("JWT sign-in needs PyJWT: pip install 'scr_engine[service]'")
            )
            raise InvalidRequest("JwtVerifier", refusals) from None
        if self.public_key is not None and not refusals:
            from cryptography.hazmat.primitives.serialization import load_pem_public_key

            try:
                key = load_pem_public_key(self.public_key)
            except (ValueError, TypeError) as exc:
                refusals.append(
                    Refusal.input(f"public_key is not a PEM public key: {exc}", "public_key")
                )
            else:
                object.__setattr__(self, "_key", key)
        if self.jwks_url is not None and not refusals:
            from scr_engine.service._jwks import KeySet

            object.__setattr__(self, "_jwks", KeySet(self.jwks_url))
        if refusals:
            raise InvalidRequest("JwtVerifier", refusals)

    def actor_of(self, token: str) -> str:
        """The actor id ``token`` names, once it verifies; :class:`JwtRefused` saying
        why otherwise; :class:`JwtKeysUnavailable` when the provider's keys cannot be
        fetched. Blocks while the JWKS is fetched, for at most a few seconds (run it in
        a worker thread)."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm not in self.algorithms:
                raise JwtRefused(f"the token's algorithm {algorithm!r} is not allowed")
            key = self._key
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            if not _fits(algorithm, key):
                raise JwtRefused(f"the token's algorithm {algorithm} is not that of the key")
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", self.actor_claim]},
            )
        except jwt.PyJWKClientError as exc:
            raise JwtRefused(f"the issuer's keys do not verify the token: {exc}") from None
        except jwt.ExpiredSignatureError:
            raise JwtRefused("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise JwtRefused("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise JwtRefused("the token is from another issuer") from None
        except jwt.InvalidTokenError as exc:
            raise JwtRefused(f"the token does not verify: {exc}") from None
        except jwt.PyJWTError:  # InvalidKeyError …: a key that cannot check the token
            raise JwtRefused("the token does not verify with the issuer's key") from None
        actor = claims.get(self.actor_claim)
        if not isinstance(actor, str) or not actor:
            raise JwtRefused(f"the token's {self.actor_claim!r} claim names no actor")
        return actor
