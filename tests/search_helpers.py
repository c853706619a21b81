"""Make an API test's writes searchable at once, instead of waiting for the indexer thread."""

from fastapi import FastAPI

from tests.factories import Api


def index_now(api: Api) -> None:
    """Read pending attachment text, drain the outbox into the app's index and write
    buffered search-log entries."""
    app = api.client.app
    assert isinstance(app, FastAPI)
    app.state.text_worker.run_until_idle()
    app.state.search.indexer.drain_now()
    app.state.search.log.flush()
