"""Passwords are kept only as Argon2 hashes, through pwdlib (argon2-cffi underneath).

pwdlib's recommended hasher is Argon2id with the parameters of RFC 9106's second choice;
`verify` takes the same time whether or not an email exists, through a dummy hash.
"""

from functools import cache

from pwdlib import PasswordHash

MAX_LENGTH = 1024  # Argon2 takes any length; a ceiling keeps one request from costing much.


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("a password nobody has, for the timing of unknown emails")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password: str, password_hash: str | None) -> bool:
    """True when `password` matches; without a hash, still spends one verification's time,
    so a missing user or unset password cannot be told apart by timing."""
    if password_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False
    return _hasher().verify(password, password_hash)
