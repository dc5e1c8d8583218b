"""Generated docs stay true to the code."""
from pathlib import Path

from services.contracts import docs

ROOT = Path(__file__).resolve().parents[2]


def test_the_events_page_matches_the_catalogue():
    assert (ROOT / "docs" / "events.md").read_text() == docs.render(), "run `make docs`"
