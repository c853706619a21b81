"""Why a page cannot be shown as asked; errors.py turns each into a response."""


class SignInRequired(Exception):
    """No live session: the person is sent to /sign-in, then back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form posted without this session's CSRF token."""
