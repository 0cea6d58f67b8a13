"""Tokens as someone without PulseOne's keys can make them: access tokens with hostile headers, unsigned page tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

Signer = Callable[[bytes], bytes]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_page_token(document: object) -> str:
    """A page token in the old, unsigned format: base64 of JSON, which anyone can write."""
    return _b64(json.dumps(document).encode())


def claims(role: str = "SYSTEM_ADMIN") -> dict[str, object]:
    """Claims that would pass every check if the signature were PulseOne's."""
    now = int(time.time())
    return {
        "iss": "pulseone-auth",
        "aud": "pulseone",
        "sub": str(uuid.uuid4()),
        "role": role,
        "status": "ACTIVE",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }


def compact(header: dict[str, object], sign: Signer) -> str:
    """A JWS in compact form over `claims()`; the header is taken as given, whatever it says."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims()).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def hostile_tokens(kid: str, public_key: Ed25519PublicKey) -> dict[str, str]:
    """Forgeries naming PulseOne's real `kid`, each trying one way a verifier may trust its header."""
    stranger = Ed25519PrivateKey.generate()
    stranger_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    stranger_jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64(stranger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)),
    }

    def rs256(data: bytes) -> bytes:
        return stranger_rsa.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def hs256(secret: bytes) -> Signer:
        return lambda data: hmac.new(secret, data, hashlib.sha256).digest()

    def garbage(data: bytes) -> bytes:
        return b"\x01" * 256

    return {
        "rs256-garbage-signature": compact({"alg": "RS256", "typ": "JWT", "kid": kid}, garbage),
        "rs256-signed-by-a-stranger": compact({"alg": "RS256", "kid": kid}, rs256),
        "es256-header": compact({"alg": "ES256", "kid": kid}, garbage),
        "alg-none": compact({"alg": "none", "kid": kid}, lambda data: b""),
        "alg-missing": compact({"kid": kid}, stranger.sign),
        "hs256-public-pem-as-secret": compact({"alg": "HS256", "kid": kid}, hs256(pem)),
        "hs256-public-raw-as-secret": compact({"alg": "HS256", "kid": kid}, hs256(raw)),
        "kid-not-a-string": compact({"alg": "EdDSA", "kid": [kid]}, stranger.sign),
        "kid-huge": compact({"alg": "EdDSA", "kid": kid * (4000 // len(kid))}, stranger.sign),
        "kid-missing": compact({"alg": "EdDSA"}, stranger.sign),
        "jwk-header-with-own-key": compact({"alg": "EdDSA", "kid": kid, "jwk": stranger_jwk}, stranger.sign),
        "jku-header": compact({"alg": "EdDSA", "kid": kid, "jku": "https://evil.example/jwks.json"}, stranger.sign),
        "x5u-header": compact({"alg": "EdDSA", "kid": kid, "x5u": "https://evil.example/cert.pem"}, stranger.sign),
        "crit-unknown-extension": compact({"alg": "EdDSA", "kid": kid, "crit": ["exp"]}, stranger.sign),
        "b64-false": compact({"alg": "EdDSA", "kid": kid, "b64": False, "crit": ["b64"]}, stranger.sign),
        "eddsa-signed-by-a-stranger": compact({"alg": "EdDSA", "kid": kid}, stranger.sign),
    }
