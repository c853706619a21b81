"""Failed attempts counted per key (a client address, an email), so guessing is slowed down.

One limiter per kind of attempt (bearer tokens, web sign-ins), each kept in this process's
memory: a replica counts its own failures, which still caps a guesser at the limit times the
replicas. The counting is the `limits` library's moving window, so a burst at the edge of a
minute is not let through twice.
"""

import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse, storage, strategies


@dataclass
class FailureLimiter:
    """`blocked_for(key)` says how long a key must wait once it failed `limit` times."""

    limit: str  # in the `limits` notation, e.g. "10/minute"
    _item: RateLimitItem = field(init=False)
    _window: strategies.MovingWindowRateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self._item = parse(self.limit)
        self._window = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def failed(self, key: str) -> None:
        self._window.hit(self._item, key)

    def blocked_for(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None when it may try now."""
        if self._window.test(self._item, key):
            return None
        reset_at = self._window.get_window_stats(self._item, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def clear(self, key: str) -> None:
        self._window.clear(self._item, key)
