"""Scoring one usage load for toll fraud: pure functions over the load's rated rows
(billing/usage.py), the account's profile (what its past loads looked like) and the
high-cost destinations. No database, no clock: billing/fraud_cases.py stores the results.

``measure`` walks the rows once and keeps, for each of the load's *days*, four figures that
toll fraud drives up; ``score`` compares each day's figure with what the account usually
does; ``learn`` folds a clean load into the profile. Only toll calls count (long distance,
international, a high-cost prefix): local calls are in the line's price, so a busy local day
costs nobody anything.

* ``costly_burst`` — international or high-cost-prefix calls in one day;
* ``night_calls`` — toll calls started at night (22:00-06:00) in the account's time zone;
* ``short_costly_calls`` — calls of at most SHORT_SECONDS to one high-cost prefix in a day
  (premium-number pumping: many short calls, each paying its connection fee);
* ``simultaneous_calls`` — the most toll calls up at one moment in a day;
* ``international_while_blocked`` — an international call started after the account's admins
  blocked international calling (the network should have refused it: the load still records
  it, and it is always suspicious).

A day runs from 06:00 to 06:00 local time, so one night is one day's and a burst that
straddles midnight is counted whole. The usual figure is the profile's highest day so far;
an account with no history yet (its first load) is compared with its own load's second-
highest day, so one outstanding day still stands out.
"""
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

NIGHT_FROM, NIGHT_TO = 22, 6   # local hours: 22:00 up to 06:00
DAY_STARTS_AT = NIGHT_TO * 3600  # a "day" starts at 06:00 local, so a night is not cut
SHORT_SECONDS = 60
RAISE_AT = 50  # a load scoring this much or more is a case; every fired rule scores >= 50
MAX_PREFIXES_SHOWN = 3
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# International premium-rate and revenue-share destinations toll fraud dials most (satellite
# and international networks, small island states, US premium 900/976, and the NANP
# Caribbean codes of the "one ring" scams). FRAUD_HIGH_COST_PREFIXES replaces the list.
DEFAULT_HIGH_COST_PREFIXES = (
    "+1900", "+1976", "+1268", "+1284", "+1473", "+1649", "+1664", "+1767", "+1809", "+1829",
    "+1849", "+1876",
    "+53", "+216", "+220", "+224", "+232", "+239", "+245", "+247", "+252", "+290", "+371",
    "+373", "+381", "+383", "+674", "+675", "+677", "+678", "+679", "+682", "+683", "+685",
    "+686", "+688", "+690", "+691", "+692", "+870", "+881", "+882", "+883", "+979",
)


@dataclass(frozen=True)
class Rule:
    name: str
    minimum: int      # never fires below this many in a day, whatever the history
    ratio: float      # ... nor below ratio x usual + spread x sqrt(usual)
    spread: float

    def threshold(self, usual):
        return max(self.minimum, math.ceil(self.ratio * usual + self.spread * math.sqrt(usual)))


RULES = (
    Rule("costly_burst", minimum=12, ratio=2, spread=4),
    Rule("night_calls", minimum=6, ratio=2, spread=3),
    Rule("short_costly_calls", minimum=8, ratio=2, spread=3),
    Rule("simultaneous_calls", minimum=8, ratio=1.5, spread=3),
)
BLOCKED_RULE = "international_while_blocked"
RULE_NAMES = tuple(rule.name for rule in RULES) + (BLOCKED_RULE,)


class Destinations:
    """The high-cost prefixes (E.164, ``+`` and digits); ``match`` is the longest one a
    number starts with, or None."""

    def __init__(self, prefixes=DEFAULT_HIGH_COST_PREFIXES):
        self.prefixes = frozenset(prefixes)
        self.lengths = tuple(sorted({len(p) for p in self.prefixes}, reverse=True))

    @classmethod
    def parse(cls, text):
        """A comma-separated list (FRAUD_HIGH_COST_PREFIXES); empty or None: the default.
        Raises ValueError naming a prefix that is not ``+`` and 1-7 digits."""
        if not text or not text.strip():
            return cls()
        prefixes = [p.strip() for p in text.split(",") if p.strip()]
        for prefix in prefixes:
            if not (prefix.startswith("+") and prefix[1:].isdigit() and prefix[1:].isascii()
                    and 1 <= len(prefix) - 1 <= 7):
                raise ValueError(f"FRAUD_HIGH_COST_PREFIXES: {prefix!r} is not '+' and 1 to 7 "
                                 f"digits")
        return cls(prefixes)

    def match(self, number):
        for length in self.lengths:
            if number[:length] in self.prefixes:
                return number[:length]
        return None


@dataclass
class LoadFigures:
    """What ``measure`` saw, per rule: ``{day_ordinal: count}`` (short calls: per (day,
    prefix)), plus what evidence shows."""
    days: set
    per_day: dict
    prefixes: dict            # (day, prefix) -> costly calls, for evidence
    blocked_calls: int = 0
    first_blocked_at: datetime | None = None


def measure(rows, zone, destinations, blocked_since=None):
    """One pass over ``rows`` ``(started_at, from, to, call_type, duration, charge)``.

    ``zone`` is a tzinfo (billing/time_zones.py); ``blocked_since`` the moment international
    calling was blocked, or None. Cheap by design: a handful of dict operations per toll call
    and a sort of the toll calls' start and end times."""
    offsets, days = {}, set()
    costly, night, short = defaultdict(int), defaultdict(int), defaultdict(int)
    prefixes = defaultdict(int)  # (day, prefix) -> costly calls
    starts, ends = [], []
    blocked, first_blocked = 0, None
    known, lengths = destinations.prefixes, destinations.lengths  # match(), inlined: hot
    for started, _from, to, kind, duration, _charge in rows:
        moment = started.timestamp()
        hour = moment // 3600
        offset = offsets.get(hour)
        if offset is None:  # US zones change offset on the hour: one lookup per hour
            offset = offsets[hour] = started.astimezone(zone).utcoffset().total_seconds()
        local = moment + offset
        day = int((local - DAY_STARTS_AT) // 86400)
        days.add(day)
        if kind == "local":
            continue
        starts.append((moment, day))
        ends.append(moment + duration)
        local_hour = local % 86400 // 3600
        if local_hour >= NIGHT_FROM or local_hour < NIGHT_TO:
            night[day] += 1
        prefix = None
        for length in lengths:
            if to[:length] in known:
                prefix = to[:length]
                break
        if prefix is not None or kind == "international":
            costly[day] += 1
            prefixes[(day, prefix or to[:4])] += 1
            if prefix is not None and duration <= SHORT_SECONDS:
                short[(day, prefix)] += 1
        if kind == "international" and blocked_since is not None and started >= blocked_since:
            blocked += 1
            first_blocked = started if first_blocked is None else min(first_blocked, started)
    return LoadFigures(days, {"costly_burst": dict(costly), "night_calls": dict(night),
                              "short_costly_calls": dict(short),
                              "simultaneous_calls": _peaks(starts, ends)},
                       prefixes, blocked, first_blocked)


def _peaks(starts, ends):
    """``{day: most toll calls up at once}``, by a sweep over start and end times (a call
    ending the second another starts does not overlap it)."""
    starts.sort()
    ends.sort()
    peaks, finished = {}, 0
    for index, (moment, day) in enumerate(starts):
        while finished < len(ends) and ends[finished] <= moment:
            finished += 1
        up = index + 1 - finished
        if up > peaks.get(day, 0):
            peaks[day] = up
    return peaks


@dataclass(frozen=True)
class Verdict:
    score: int           # 0-100; RAISE_AT or more is suspicious
    rules: tuple         # the names of the rules that fired
    evidence: dict       # {rule: {...}}: counts, days, prefixes; no numbers dialled
    learned: dict        # this load's highest day per rule (the profile's shape)

    @property
    def suspicious(self):
        return self.score >= RAISE_AT


def _day(ordinal_since_epoch):
    return date.fromordinal(ordinal_since_epoch + _EPOCH_ORDINAL).isoformat()


def _worst_two(counts):
    """(key of the highest, highest, second highest) of a ``{key: count}``."""
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    if not ranked:
        return None, 0, 0
    return ranked[0][0], ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0


def score(figures, profile):
    """The Verdict of a load's figures against the account's ``profile`` (``learn``'s dict;
    empty for an account with no history)."""
    fired, evidence, learned, points = [], {}, {}, 0
    for rule in RULES:
        key, worst, second = _worst_two(figures.per_day[rule.name])
        learned[rule.name] = worst
        usual = profile.get(rule.name, 0) if profile.get("loads") else second
        threshold = rule.threshold(usual)
        if worst < threshold:
            continue
        fired.append(rule.name)
        points += 50 + min(50, int(50 * (worst / threshold - 1)))
        day = key[0] if rule.name == "short_costly_calls" else key
        found = {"day": _day(day), "calls": worst, "usual": usual, "threshold": threshold}
        if rule.name == "short_costly_calls":
            found["prefix"] = key[1]
        elif rule.name == "costly_burst":
            top = sorted(((p, n) for (d, p), n in figures.prefixes.items() if d == day),
                         key=lambda i: i[1], reverse=True)
            found["top_prefixes"] = [p for p, _ in top[:MAX_PREFIXES_SHOWN]]
        evidence[rule.name] = found
    if figures.blocked_calls:
        fired.append(BLOCKED_RULE)
        points += 100
        evidence[BLOCKED_RULE] = {
            "calls": figures.blocked_calls,
            "first_at": figures.first_blocked_at.astimezone(timezone.utc).isoformat()}
    return Verdict(min(100, points), tuple(fired), evidence, learned)


def learn(profile, learned):
    """The profile after a load the account stands behind (clean, or marked expected):
    each rule's highest day so far, and how many loads it has seen."""
    updated = {"loads": profile.get("loads", 0) + 1}
    for name in (rule.name for rule in RULES):
        updated[name] = max(profile.get(name, 0), learned.get(name, 0))
    return updated
