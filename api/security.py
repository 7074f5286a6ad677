"""API key generation and hashing.

A key is `sc_` followed by 32 random bytes from `secrets` (URL-safe base64). Only its sha256
hex digest is stored: the key has 256 bits of entropy, so a fast unsalted hash is enough
(no password stretching needed; the same reasoning as GitHub's token storage).
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "sc_"


def generate_api_key() -> str:
    """A new random API key (shown once; never stored)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """sha256 hex digest of `key`, the only form stored in the database."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_display_prefix(key: str) -> str:
    """The first 10 characters of a key, stored to tell keys apart in listings."""
    return key[:10]
