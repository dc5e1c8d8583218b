"""Generated docs stay true to the code."""
from services.contracts import docs
from tests.support.paths import ROOT


def test_the_events_page_matches_the_catalogue():
    assert (ROOT / "docs" / "events.md").read_text() == docs.render(), "run `make docs`"
