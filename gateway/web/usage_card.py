"""The dashboard's "This month, so far" card: the daily usage charges of the period the next
statement bills, as bars of a server-rendered SVG (no script) with a table as its text."""
from datetime import date, timedelta

BAR_WIDTH = 10
CHART_HEIGHT = 80
CALL_TYPE_NAMES = {"local": "Local", "long_distance": "Long distance",
                   "international": "International"}


def daily_bars(estimate):
    """One bar per day of the period so far (days without calls are 0), oldest first:
    ``[{date, calls, cents, x, height}]``, heights scaled to the highest day."""
    by_day = {d["date"]: d for d in estimate["daily"]}
    start = date.fromisoformat(estimate["period_start"])
    end = min(date.fromisoformat(estimate["as_of"][:10]),
              date.fromisoformat(estimate["period_end"]) - timedelta(days=1))
    days = [start + timedelta(days=i) for i in range(max((end - start).days + 1, 1))]
    top = max([d["charge_cents"] for d in estimate["daily"]] + [1])
    bars = []
    for i, day in enumerate(days):
        found = by_day.get(day.isoformat(), {"calls": 0, "charge_cents": 0})
        bars.append({"date": day.isoformat(), "calls": found["calls"],
                     "cents": found["charge_cents"], "x": i * (BAR_WIDTH + 2),
                     "height": round(CHART_HEIGHT * max(found["charge_cents"], 0) / top)})
    return bars
