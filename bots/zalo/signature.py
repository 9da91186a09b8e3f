"""Zalo OA webhook signatures: `X-ZEvent-Signature = sha256_hex(app_id + raw_body + timestamp +
OA secret key)` — a plain SHA-256 of the concatenation (not an HMAC) over the raw request bytes,
sometimes sent as `mac=<hex>`. The timestamp is the body's `timestamp` (epoch milliseconds) or,
in some deployments, the `X-ZEvent-Timestamp` header: both are accepted."""

from __future__ import annotations

import hashlib
import hmac


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    data = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def presented(header: str | None) -> str:
    """The hex digest in a signature header, without an optional `mac=` prefix."""
    value = (header or "").strip()
    if value[:4].lower() == "mac=":
        value = value[4:]
    return value.strip().lower()


def verify(
    header: str | None,
    app_id: str,
    body: bytes,
    timestamps: list[str],
    oa_secret_key: str,
) -> bool:
    """True when the header matches for one of the candidate timestamps (constant time)."""
    given = presented(header).encode()
    if not given or not oa_secret_key:
        return False
    ok = False
    for timestamp in timestamps:
        expected = signature(app_id, body, timestamp, oa_secret_key).encode()
        ok |= hmac.compare_digest(given, expected)
    return ok
