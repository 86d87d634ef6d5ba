"""An identity provider's key set (JWKS) served on a free port, for the JWT sign-in
tests: it publishes the keys it is given, and can be told to fail as a provider does
(down, an error page, junk, a hang, a slow drip)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

MODES = ("ok", "error", "junk", "not an object", "no keys", "hang", "drip")
"""How the provider answers: its keys; a 500; HTML; a JSON list; a set of no usable
key; nothing for a long while; its whole answer one byte at a time, slowly."""


def jwk(key: Any, kid: str) -> dict[str, Any]:
    """The public JWK of a private RSA or EC key, named ``kid``."""
    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        data = jwt.algorithms.RSAAlgorithm.to_jwk(public)
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        data = jwt.algorithms.ECAlgorithm.to_jwk(public)
    return {**json.loads(data), "kid": kid, "use": "sig"}


class Provider:
    """The key set's state: the keys it publishes, how it answers, how often asked."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.mode = "ok"
        self.fetches = 0
        self.stopping = threading.Event()
        self.url = ""

    def publish(self, key: Any, kid: str) -> None:
        self.keys.append(jwk(key, kid))

    def body(self) -> bytes:
        if self.mode == "junk":
            return b"<html><body>Service Unavailable</body></html>"
        if self.mode == "not an object":
            return b"[1, 2, 3]"
        if self.mode == "no keys":
            return json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}).encode()
        return json.dumps({"keys": self.keys}).encode()


@contextmanager
def serving_keys() -> Iterator[Provider]:
    """A :class:`Provider` on 127.0.0.1 (its ``url``), until the block ends."""
    provider = Provider()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            provider.fetches += 1
            if provider.mode == "hang":
                provider.stopping.wait(30)
                return
            if provider.mode == "error":
                self.send_error(500)
                return
            body = provider.body()
            if provider.mode == "drip":  # the whole answer, its status line first
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                for byte in head + body:
                    if provider.stopping.is_set():
                        return
                    with contextlib.suppress(OSError):
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    time.sleep(0.1)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/jwks"
    try:
        yield provider
    finally:
        provider.stopping.set()
        server.shutdown()
        server.server_close()
