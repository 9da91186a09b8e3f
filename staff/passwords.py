"""Password hashing (argon2id) and random tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_PASSWORD_CHARS = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự / "
            f"the password needs at least {MIN_PASSWORD_CHARS} characters."
        )
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Sessions and API tokens are stored as digests: a leaked table opens no session."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
