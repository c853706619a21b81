import pytest
from pydantic import ValidationError

from hindsight.service.settings import Settings


def test_sign_in_limits_must_be_rates() -> None:
    with pytest.raises(ValidationError, match="is not a rate such as"):
        Settings(_env_file=None, web_sign_in_failures_per_email="lots")  # type: ignore[call-arg]
    ok = Settings(_env_file=None, web_sign_in_failures_per_address="3 per hour")  # type: ignore[call-arg]
    assert ok.web_sign_in_failures_per_address == "3 per hour"
