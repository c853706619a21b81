"""The search log's explicit flush never returns while another flush is still writing."""

import threading
from contextlib import contextmanager

from sqlalchemy import func, select

import hindsight.service.search.search_log as module
from hindsight.service.search.models import SearchLogEntry
from hindsight.service.search.search_log import SearchLog


def test_a_flush_waits_for_the_flush_in_flight(api, monkeypatch):
    engine = api.client.app.state.engine
    search_log = SearchLog(engine)  # no thread of its own: the test plays both flushers
    entered, release = threading.Event(), threading.Event()
    real = module.session_scope

    @contextmanager
    def slow(*args, **kwargs):
        entered.set()
        release.wait(10)
        with real(*args, **kwargs) as db:
            yield db

    search_log.record(query="gap", filters={}, result_count=0, user_id=None, team_ids=frozenset())
    monkeypatch.setattr(module, "session_scope", slow)
    first = threading.Thread(target=search_log.flush)
    first.start()
    assert entered.wait(10)
    monkeypatch.setattr(module, "session_scope", real)
    second_done = threading.Event()
    second = threading.Thread(target=lambda: (search_log.flush(), second_done.set()))
    second.start()
    assert not second_done.wait(0.3), "the second flush returned before the entries were written"
    release.set()
    first.join(10)
    second.join(10)
    with real(engine, write=False) as db:
        assert db.execute(select(func.count()).select_from(SearchLogEntry)).scalar_one() == 1
