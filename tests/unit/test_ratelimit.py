from hindsight.service.ratelimit import FailureLimiter


def test_a_key_is_blocked_after_its_limit_of_failures_and_others_are_not():
    limiter = FailureLimiter("3/minute")
    for _ in range(3):
        assert limiter.blocked_for("10.0.0.1") is None
        limiter.failed("10.0.0.1")
    wait = limiter.blocked_for("10.0.0.1")
    assert wait is not None and 1 <= wait <= 60
    assert limiter.blocked_for("10.0.0.2") is None


def test_clearing_a_key_lets_it_try_again():
    limiter = FailureLimiter("1/minute")
    limiter.failed("ada@example.org")
    assert limiter.blocked_for("ada@example.org") is not None
    limiter.clear("ada@example.org")
    assert limiter.blocked_for("ada@example.org") is None
