"""The toll-fraud guard (billing/fraud_rules.py): how much fraud it catches, how often it cries
wolf, what it costs per call, and usage ingest through the staff API with it on vs off.

1. **Detection**, on a labelled set made here (``--accounts`` x ``--months``): business
   accounts of 2-40 lines, each with its own daily pattern (business hours with a lunch dip,
   quiet weekends or a seven-day or round-the-clock trade, a share of long-distance and
   international calls, some to the Caribbean), loaded week by week as usage arrives, each
   load scored against the account's profile exactly as billing does it on ingest (measure,
   score, learn only clean loads). Normal days vary: busier and quieter days, campaign days
   at 2.5 times the calls, evenings someone works late. ``--fraud`` of the accounts carry one injected burst in one
   load, of three shapes: a night international burst (revenue-share destinations, 23:00-04:00
   in the account's zone), many short calls to one premium prefix, a simultaneous-call spike
   (domestic long distance, business hours). Prints the share of bursts caught in the load
   that carries them (per shape), false alarms per 1,000 normal account-months (a month with
   no burst that raised anything), and scoring cost per call.
2. **Ingest** through POST /internal/v1/accounts/{n}/usage (bench/usage_ingest.py's stack:
   billing on a throwaway PostgreSQL, the gunicorn gateway), ``--calls`` calls in batches of
   ``--batch``, once with FRAUD_GUARD=off and once on (interleaved ``--rounds``, best of
   each), and the ratio.

Goal (issue 16): >= 95 % of bursts caught, <= 5 false alarms per 1,000 account-months, ingest
>= 50,000 calls/s with scoring on. Run by `make bench`.
"""
import argparse
import json
import random
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.billing import fraud_rules, rating, time_zones  # noqa: E402
from services.contracts.validators import US_STATES  # noqa: E402

DEST = fraud_rules.Destinations()
PREMIUM = sorted(DEST.prefixes)
ABROAD = ["+44", "+49", "+33", "+52", "+86", "+91", "+81", "+34", "+39", "+1416", "+1604"]
CARIBBEAN = ["+1876", "+1809", "+1268"]  # real customers call these too
SHAPES = ("night_international", "short_premium", "simultaneous_spike")
# when in a business day calls start: 8:00-18:00 local with a lunch dip
BUSINESS_HOURS = [(8, 4), (9, 9), (10, 11), (11, 10), (12, 5), (13, 7), (14, 10), (15, 10),
                  (16, 8), (17, 5), (18, 2)]
ROUND_THE_CLOCK = [(h, 3 if 0 <= h < 6 else 6) for h in range(24)]


def poisson(rng, lam):
    """Knuth's for small means, a rounded normal above (no numpy in the venv)."""
    if lam > 30:
        return max(0, int(rng.gauss(lam, lam ** 0.5) + 0.5))
    threshold, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


class Account:
    """One business's calling habits."""

    def __init__(self, rng, index):
        self.rng = rng
        self.state = rng.choice(sorted(US_STATES))
        self.zone = time_zones.zone(self.state)
        self.lines = rng.choice([2, 2, 3, 3, 4, 5, 6, 8, 10, 12, 16, 20, 30, 40])
        self.per_line = rng.uniform(4, 14)  # calls per line per working day
        trade = rng.random()
        self.hours = ROUND_THE_CLOCK if trade < 0.06 else BUSINESS_HOURS
        self.weekend = 0.9 if trade < 0.2 else rng.uniform(0.0, 0.15)
        self.long_distance = rng.uniform(0.1, 0.4)
        self.international = rng.choice([0, 0, 0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15])
        self.abroad = rng.sample(ABROAD, 3) + ([rng.choice(CARIBBEAN)] if rng.random() < 0.15
                                              else [])
        self.number = f"+1{rng.randint(200, 999)}555{index % 10000:04d}"

    def _hour(self):
        hours, weights = zip(*self.hours)
        return self.rng.choices(hours, weights)[0]

    def call(self, day, hour=None, to=None, kind=None, seconds=None, minute=None):
        rng = self.rng
        local = datetime(day.year, day.month, day.day, self._hour() if hour is None else hour,
                         rng.randrange(60) if minute is None else minute, rng.randrange(60),
                         tzinfo=self.zone)
        if kind is None:
            roll = rng.random()
            kind = ("international" if roll < self.international else "long_distance"
                    if roll < self.international + self.long_distance else "local")
        if to is None:
            to = (rng.choice(self.abroad) if kind == "international" else
                  f"+1{rng.randint(200, 999)}") + f"{rng.randrange(10 ** 7):07d}"
        if seconds is None:
            seconds = int(min(7200, rng.lognormvariate(4.6, 1.0)))
        return (local.astimezone(timezone.utc), self.number, to[:16], kind, seconds,
                rating.charge_cents(kind, to, seconds))

    def day(self, day):
        """One day's calls: busier and quieter days, now and then a campaign day at 2.5
        times the calls, and some evenings someone works late (toll calls after 22:00)."""
        rng, weekday = self.rng, day.weekday() < 5
        busy = rng.lognormvariate(0, 0.3) * (2.5 if rng.random() < 0.03 else 1)
        mean = self.lines * self.per_line * (1 if weekday else self.weekend) * busy
        rows = [self.call(day) for _ in range(poisson(rng, mean))]
        if weekday and rng.random() < 0.05:
            rows += [self.call(day, 22, kind=rng.choice(["long_distance", "international"]),
                               minute=rng.randrange(60)) for _ in range(rng.randint(1, 4))]
        return rows


def burst(account, shape, day):
    """The injected calls of one fraud burst on ``day`` (its local date)."""
    rng = account.rng
    if shape == "night_international":
        count, rows = rng.randint(20, 150), []
        for i in range(count):
            hour = rng.choice([23, 0, 1, 2, 3])
            when = day + timedelta(days=1) if hour < 6 else day
            to = rng.choice(PREMIUM if rng.random() < 0.7 else ABROAD)
            rows.append(account.call(when, hour, to + f"{rng.randrange(10 ** 8):08d}",
                                     "international", rng.randint(60, 1800)))
        return rows
    if shape == "short_premium":
        prefix = rng.choice(PREMIUM)
        kind = "long_distance" if prefix.startswith("+1") else "international"
        return [account.call(day, rng.randint(8, 22), prefix + f"{rng.randrange(10 ** 7):07d}",
                             kind, rng.randint(3, 45)) for _ in range(rng.randint(15, 80))]
    hour, minute = rng.randint(9, 16), rng.randrange(50)
    return [account.call(day, hour, None, "long_distance", rng.randint(900, 3600),
                         minute + rng.randrange(3)) for _ in range(rng.randint(15, 40))]


def detection(args):
    rng = random.Random(args.seed)
    start = datetime(2026, 1, 5).date()  # a Monday: loads are weeks
    weeks_per_month = 4
    caught, bursts, alarmed_months, normal_months, wolf = {}, {}, 0, 0, {}
    scored_calls, scoring_seconds = 0, 0.0
    for index in range(args.accounts):
        account = Account(rng, index)
        profile = {}
        fraud_at = None
        if rng.random() < args.fraud:
            fraud_at = (rng.randrange(args.months * weeks_per_month), rng.choice(SHAPES))
        for month in range(args.months):
            alarmed, has_burst = False, False
            for week in range(weeks_per_month):
                load_index = month * weeks_per_month + week
                first = start + timedelta(weeks=load_index)
                rows = [r for d in range(7) for r in account.day(first + timedelta(days=d))]
                shape = None
                if fraud_at and fraud_at[0] == load_index:
                    shape, has_burst = fraud_at[1], True
                    rows += burst(account, shape, first + timedelta(days=rng.randrange(6)))
                if not rows:
                    continue
                began = time.perf_counter()
                verdict = fraud_rules.score(fraud_rules.measure(rows, account.zone, DEST),
                                            profile)
                scoring_seconds += time.perf_counter() - began
                scored_calls += len(rows)
                if shape:
                    bursts[shape] = bursts.get(shape, 0) + 1
                    caught[shape] = caught.get(shape, 0) + verdict.suspicious
                elif verdict.suspicious:
                    alarmed = True
                    for rule in verdict.rules:
                        wolf[rule] = wolf.get(rule, 0) + 1
                if not verdict.suspicious:  # as billing: a suspicious load is not learned
                    profile = fraud_rules.learn(profile, verdict.learned)
            if not has_burst:
                normal_months += 1
                alarmed_months += alarmed
    total = sum(bursts.values())
    found = sum(caught.values())
    print(f"  labelled set: {args.accounts} accounts x {args.months} months, {normal_months} "
          f"normal account-months, {total} bursts, {scored_calls} calls scored")
    for shape in SHAPES:
        if bursts.get(shape):
            print(f"  {shape:22} caught {caught[shape]:4}/{bursts[shape]:<4} "
                  f"{100 * caught[shape] / bursts[shape]:5.1f} %")
    rate = 100 * found / total if total else 0.0
    false_alarms = 1000 * alarmed_months / normal_months if normal_months else 0.0
    cost = 1e6 * scoring_seconds / scored_calls if scored_calls else 0.0
    print(f"  detection rate: {rate:.1f} % of bursts caught in the load that carries them "
          f"(goal >= 95 %)")
    print(f"  false alarms: {false_alarms:.1f} per 1,000 normal account-months (goal <= 5); "
          f"rules in them: {wolf or 'none'}")
    print(f"  scoring cost: {cost:.2f} us per call (measure + score)")
    return rate, false_alarms, cost


def ingest(args):
    """Calls/s through the staff API with the guard off and on, same stack shape."""
    from bench.usage_ingest import Stack, calls, post_all
    best = {}
    stacks = {}
    try:
        for mode in ("off", "on"):
            stack = Stack()
            stack.env["FRAUD_GUARD"] = mode
            stacks[mode] = stack
            stack.start()
        for round_ in range(args.rounds):
            for mode, stack in stacks.items():
                number = stack.open_account()
                path = f"/internal/v1/accounts/{number}/usage"
                headers = {"Authorization": f"Bearer {stack.admin_token}",
                           "Content-Type": "application/json"}
                warm = [json.dumps({"calls": calls(datetime(2026, 9, 1, tzinfo=timezone.utc),
                                                   100)}).encode()] * 8
                post_all(stack.port, path, headers, warm, args.concurrency)
                begin = datetime(2026, 10, 1, tzinfo=timezone.utc)
                bodies = [json.dumps({"calls": calls(begin + timedelta(seconds=i), args.batch)})
                          .encode() for i in range(0, args.calls, args.batch)]
                seconds, statuses = post_all(stack.port, path, headers, bodies,
                                             args.concurrency)
                bad = [s for s in statuses if s[0] != 202]
                if bad:
                    raise RuntimeError(f"{len(bad)} batches refused, e.g. {bad[0]}")
                rate = args.calls / seconds
                best[mode] = max(best.get(mode, 0), rate)
    except Exception:
        for stack in stacks.values():
            stack.processes.print_logs()
        raise
    finally:
        for stack in stacks.values():
            stack.stop()
    print(f"  staff API ingest, {args.calls // args.batch} batches of {args.batch}, "
          f"{args.concurrency} clients: scoring off {best['off']:9.0f} calls/s, "
          f"on {best['on']:9.0f} calls/s (goal >= 50,000 on)")
    print(f"ratio ingest scoring_on/scoring_off calls per second: "
          f"{best['on'] / best['off']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=700)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--fraud", type=float, default=0.45,
                        help="share of accounts with one injected burst")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-ingest", action="store_true", help="detection figures only")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rate, false_alarms, cost = detection(args)
    print(f"ratio detected/bursts: {rate / 100:.3f}")
    if not args.no_ingest:
        ingest(args)


if __name__ == "__main__":
    main()
