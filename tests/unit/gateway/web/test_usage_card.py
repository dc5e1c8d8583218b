"""The dashboard's "This month, so far" card with billing replaced by a table-driven fake: a
bar for every day of the period so far (0 on days without calls), the chart's text
alternative, and the figures as dollars."""
from gateway.web.usage_card import daily_bars
from tests.support.portal_client import CURRENT_USAGE, client_for, fake_rpc  # noqa: F401

WITH_CALLS = {**CURRENT_USAGE, "as_of": "2026-11-19T08:00:00+00:00",
              "daily": [{"date": "2026-11-16", "calls": 3, "charge_cents": 420},
                        {"date": "2026-11-18", "calls": 1, "charge_cents": 105}],
              "usage_cents": 525, "estimated_total_cents": 7013}


def test_every_day_of_the_period_so_far_has_a_bar_scaled_to_the_busiest_day():
    bars = daily_bars(WITH_CALLS)
    assert [b["date"] for b in bars] == ["2026-11-15", "2026-11-16", "2026-11-17",
                                         "2026-11-18", "2026-11-19"]
    assert [b["height"] for b in bars] == [0, 80, 0, 20, 0]


def test_a_period_already_over_ends_the_chart_on_its_last_day():
    late = {**WITH_CALLS, "as_of": "2026-12-20T08:00:00+00:00"}
    assert daily_bars(late)[-1]["date"] == "2026-12-14" and len(daily_bars(late)) == 30


def test_the_card_shows_the_estimate_a_chart_with_its_title_and_a_table_of_days(client_for):
    page = client_for(fake_rpc({("billing", "get_current_usage"): WITH_CALLS})).get(
        "/dashboard").get_data(as_text=True)
    card = page[page.index('id="current-usage"'):]
    assert "This month, so far" in card and "$70.13" in card and "$5.25" in card
    assert 'role="img" aria-labelledby="usage-chart-title"' in card
    assert card.count("<rect ") == 5
    assert "<td>Nov 16, 2026</td><td>3</td><td>$4.20</td>" in card
