"""Enumerations of the contract: lower-case snake_case strings."""

from enum import StrEnum


class Role(StrEnum):
    """Each role includes the ones before it."""

    reader = "reader"
    contributor = "contributor"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)
