"""The invariants of a chaos run, checked once the system is quiet by reading each service's
database, the processor's charge journal and the Maildir directly (this is a test: it may look
behind the API). Each check returns ``(name, ok, detail)``; ``table`` prints them."""
import json
import mailbox
from collections import Counter, defaultdict

from sqlalchemy import create_engine, text

from services.payments.sandbox_journal import ChargeJournal, journal_path
from services.runtime.database import engine_url

FINAL = ("succeeded", "failed", "canceled", "returned")


class Snapshot:
    """What the databases say, read once."""

    def __init__(self, system):
        self.system = system
        self.rows = {}
        for service in ("identity", "billing", "payments", "notifications"):
            url = system.env[f"{service.upper()}_DATABASE_URL"]
            engine = create_engine(engine_url(url))
            with engine.connect() as conn:
                self.rows[service] = {
                    "unsent": conn.execute(text(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar(),
                    "events": [json.loads(body) for (body,) in conn.execute(text(
                        "SELECT body FROM outbox"))],
                    "applied": conn.execute(text(
                        "SELECT event_id, consumer FROM applied_events")).all(),
                    "parked": conn.execute(text(
                        "SELECT event_type, error FROM dead_letters WHERE status = 'parked'"
                    )).all(),
                }
                if service == "payments":
                    self.payments = {r.id: r for r in conn.execute(text(
                        "SELECT id, account_number, status, amount_cents, kind, refunded_cents, "
                        "processor_ref FROM payments"))}
                    self.refunds = {r.id: r for r in conn.execute(text(
                        "SELECT id, payment_id, account_number, amount_cents, status "
                        "FROM refunds"))}
                if service == "billing":
                    self.ledger = conn.execute(text(
                        "SELECT a.account_number, l.kind, l.amount_cents, l.reference "
                        "FROM ledger_entries l JOIN accounts a ON a.id = l.account_id "
                        "WHERE l.kind IN ('payment', 'return', 'refund', 'credit')")).all()
            engine.dispose()
        journal = ChargeJournal(journal_path(system.data_dir))
        self.charges = journal.charges()
        self.processor_refunds = journal.refunds()

    def events(self, service, event_type):
        return [e for e in self.rows[service]["events"] if e["type"] == event_type]


def every_payment_ends_once(snap, record):
    open_ = [p.id for p in snap.payments.values() if p.status not in FINAL]
    missing = [pid for pid in record.accepted if pid not in snap.payments]
    changed = [pid for pid, (_n, status) in record.accepted.items()
               if status in FINAL and pid in snap.payments
               and snap.payments[pid].status != status
               and not (status == "succeeded" and snap.payments[pid].status == "returned")]
    endings = Counter()
    for event in snap.events("payments", "payments.payment_succeeded"):
        endings[event["data"]["payment_id"]] += 1
    for event in snap.events("payments", "payments.payment_failed"):
        if not event["data"].get("will_retry"):
            endings[event["data"]["payment_id"]] += 1
    twice = [pid for pid, n in endings.items() if n > 1]
    unended = [p.id for p in snap.payments.values()
               if p.status in ("succeeded", "failed", "returned") and endings[p.id] != 1]
    ok = not (open_ or missing or changed or twice or unended)
    return ("every accepted payment ends succeeded/failed/canceled exactly once", ok,
            f"{len(record.accepted)} accepted, {len(snap.payments)} in payments; open "
            f"{len(open_)}, lost {len(missing)}, changed {len(changed)}, ended twice "
            f"{len(twice)}, no ending event {len(unended)}"
            + (f" e.g. {(open_ + missing + changed + twice + unended)[:3]}" if not ok else ""))


def charged_at_most_once(snap, _record):
    money_moved = Counter()
    for charge in snap.charges:
        if charge["status"] in ("succeeded", "pending"):
            money_moved[charge["idempotency_key"].split(":")[0]] += 1
    twice = [pid for pid, n in money_moved.items() if n > 1]
    uncharged = [p.id for p in snap.payments.values()
                 if p.status in ("succeeded", "returned") and money_moved[p.id] != 1]
    asked_again = sum(c["asked"] - 1 for c in snap.charges)
    ok = not (twice or uncharged)
    return ("the processor charged each payment at most once", ok,
            f"{len(snap.charges)} charges, {asked_again} repeated asks answered from the "
            f"journal; charged twice {len(twice)}, succeeded without a charge {len(uncharged)}")


def ledger_matches_payments(snap, record):
    """Per account, billing's ledger holds payments' successes, returns and refunds, each as
    payments has it, and the staff credits the API accepted: [paid, returned, refunded,
    credited] the same on both sides, so what the ledger credits is payments - returns -
    refunds + credits."""
    expected = defaultdict(lambda: [0, 0, 0, 0])
    for p in snap.payments.values():
        if p.status in ("succeeded", "returned"):
            expected[p.account_number][0] += p.amount_cents
        if p.status == "returned":
            expected[p.account_number][1] += p.amount_cents
    for r in snap.refunds.values():
        if r.status == "succeeded":
            expected[r.account_number][2] += r.amount_cents
    for number, cents in getattr(record, "credits", {}).values():
        expected[number][3] += cents
    ledger = defaultdict(lambda: [0, 0, 0, 0])
    column = {"payment": 0, "return": 1, "refund": 2, "credit": 3}
    for row in snap.ledger:
        sign = -1 if row.kind in ("payment", "credit") else 1
        ledger[row.account_number][column[row.kind]] += sign * row.amount_cents
    accounts = set(expected) | set(ledger)
    wrong = sorted(n for n in accounts if tuple(expected[n]) != tuple(ledger[n]))
    net = sum(paid - returned - refunded + credited
              for paid, returned, refunded, credited in expected.values())
    return ("billing ledger == payments - returns - refunds + credits, per account",
            not wrong, f"{len(accounts)} accounts, net {net} cents, {len(wrong)} differ"
            + (f": {[(n, expected[n], ledger[n]) for n in wrong[:3]]}; "
               f"{_unposted(snap, wrong)}" if wrong else ""))


def _unposted(snap, accounts):
    """For a post-mortem: the payments of those accounts whose ledger rows are not what
    payments has, and whether billing recorded applying their events."""
    posted = defaultdict(set)
    for row in snap.ledger:
        posted[row.reference].add(row.kind)
    billing = snap.rows.get("billing", {}).get("applied", [])
    applied = Counter(consumer for _id, consumer in billing)
    events = {e["data"].get("payment_id"): e.get("event_id") for e in snap.events(
        "payments", "payments.payment_succeeded")}
    applied_ids = {event_id for event_id, _c in billing}
    odd = [(p.id, p.status, p.kind, p.amount_cents, sorted(posted[p.id]),
            events.get(p.id) in applied_ids)
           for p in snap.payments.values() if p.account_number in accounts
           and p.status in ("succeeded", "returned") and "payment" not in posted[p.id]]
    return f"not posted (id, status, kind, cents, rows, event applied): {odd[:5]}; {dict(applied)}"


def refunded_at_most_once(snap, record):
    """Each refund the API accepted ends succeeded or failed; the processor gave back each
    succeeded one exactly once (its journal under ``refund:<id>``) and nothing payments does
    not know of; no payment gave back more than it took, and its refunded_cents is what its
    succeeded refunds gave; one payment_refunded event per succeeded refund."""
    given = defaultdict(int)   # refund id -> processor refunds that moved money
    by_charge = defaultdict(int)
    for row in snap.processor_refunds:
        if row["status"] == "succeeded":
            given[row["idempotency_key"].split(":", 1)[1]] += 1
            by_charge[row["charge_reference"]] += row["amount_cents"]
    succeeded = {rid for rid, r in snap.refunds.items() if r.status == "succeeded"}
    open_ = [rid for rid, r in snap.refunds.items() if r.status not in ("succeeded", "failed")]
    lost = [rid for rid in record.refunds if rid not in snap.refunds]
    twice = [rid for rid, n in given.items() if n > 1]
    unknown = [rid for rid in given if rid not in succeeded]
    ungiven = [rid for rid in succeeded if given[rid] != 1]
    charged = {p.processor_ref: p.amount_cents for p in snap.payments.values()}
    over = [ref for ref, cents in by_charge.items() if cents > charged.get(ref, 0)]
    sums = defaultdict(int)
    for r in snap.refunds.values():
        if r.status == "succeeded":
            sums[r.payment_id] += r.amount_cents
    wrong_sum = [p.id for p in snap.payments.values()
                 if p.refunded_cents != sums[p.id] or p.refunded_cents > p.amount_cents]
    told = Counter(e["data"]["refund_id"]
                   for e in snap.events("payments", "payments.payment_refunded"))
    wrong_events = [rid for rid in succeeded | set(told) if told[rid] != 1
                    or rid not in succeeded]
    bad = open_ + lost + twice + unknown + ungiven + over + wrong_sum + wrong_events
    return ("each refund given back at most once, never more than its payment took", not bad,
            f"{len(record.refunds)} accepted, {len(succeeded)} succeeded, "
            f"{sum(r['asked'] - 1 for r in snap.processor_refunds)} repeated asks answered "
            f"from the journal; open {len(open_)}, lost {len(lost)}, given twice "
            f"{len(twice)}, unknown to payments {len(unknown)}, not given {len(ungiven)}, "
            f"over the charge {len(over)}, refunded_cents wrong {len(wrong_sum)}, events "
            f"wrong {len(wrong_events)}" + (f" e.g. {bad[:3]}" if bad else ""))


def one_mail_per_refund(snap, _record):
    """Each load account has one user (its admin): one refund mail per succeeded refund."""
    box = mailbox.Maildir(str(snap.system.data_dir / "mail"), create=True)
    mailed = Counter(m["To"] for m in box if (m["Subject"] or "").startswith("Refund of "))
    by_account = Counter(r.account_number for r in snap.refunds.values()
                         if r.status == "succeeded")
    emails = snap.account_emails
    wrong = [n for n in set(by_account) | {n for n in emails if mailed[emails[n]]}
             if mailed[emails.get(n)] != by_account[n]]
    return ("exactly one refund mail per refund", not wrong,
            f"{sum(by_account.values())} refunds, {sum(mailed.values())} refund mails; "
            f"{len(wrong)} accounts differ")


def one_receipt_per_payment(snap, _record):
    succeeded = {e["event_id"]: e["data"]["payment_id"]
                 for e in snap.events("payments", "payments.payment_succeeded")}
    applied = Counter(event_id for event_id, consumer in snap.rows["notifications"]["applied"]
                      if consumer.startswith("on_payment_succeeded:"))
    wrong = [pid for event_id, pid in succeeded.items() if applied[event_id] != 1]
    box = mailbox.Maildir(str(snap.system.data_dir / "mail"), create=True)
    mailed = Counter(m["To"] for m in box if "receipt" in (m["Subject"] or "").lower())
    by_account = Counter(p.account_number for p in snap.payments.values()
                         if p.status in ("succeeded", "returned"))
    emails = snap.account_emails
    mail_wrong = [n for n, count in by_account.items() if mailed[emails.get(n)] != count]
    ok = not wrong and not mail_wrong
    return ("exactly one receipt per successful payment", ok,
            f"{len(succeeded)} successes, {sum(applied.values())} receipts recorded, "
            f"{sum(mailed.values())} in the Maildir; wrong {len(wrong)} payments, "
            f"{len(mail_wrong)} accounts' mail")


def statements_applied_once(snap, _record):
    issued = {e["event_id"] for e in snap.events("billing", "billing.statement_issued")}
    missing = {}
    for service in ("payments", "notifications"):
        applied = Counter(event_id for event_id, consumer in snap.rows[service]["applied"]
                          if consumer == "on_statement_issued")
        missing[service] = sum(1 for event_id in issued if applied[event_id] != 1)
    return ("every billing.statement_issued applied exactly once by payments and "
            "notifications", not any(missing.values()),
            f"{len(issued)} statements; not applied: payments {missing['payments']}, "
            f"notifications {missing['notifications']}")


def outboxes_empty(snap, _record):
    unsent = {s: rows["unsent"] for s, rows in snap.rows.items()}
    return ("no unpublished outbox rows in any service", not any(unsent.values()),
            ", ".join(f"{s} {n}" for s, n in unsent.items()))


def no_5xx(_snap, record):
    total = sum(record.statuses.values())
    excused = sum(n for (_kind, status), n in record.statuses.items() if status == 503)
    return ("zero 5xx except 503 with Retry-After during outages", not record.failures,
            f"{total} responses, {excused} 503s with Retry-After, {len(record.failures)} "
            "others" + (f": {record.failures[:3]}" if record.failures else ""))


def nothing_parked(snap, _record):
    """A fault the system heals from is no reason to give up on an event: every handler's
    retries outlast it, so no event ends on a dead-letter table."""
    parked = {s: rows["parked"] for s, rows in snap.rows.items()}
    first = next(((s, r.event_type, (r.error or "")[:160]) for s, rs in parked.items()
                  for r in rs), None)
    return ("no event parked on a dead-letter table", first is None,
            ", ".join(f"{s} {len(rs)}" for s, rs in parked.items())
            + (f"; e.g. {first}" if first else ""))


CHECKS = (every_payment_ends_once, charged_at_most_once, ledger_matches_payments,
          refunded_at_most_once, one_receipt_per_payment, one_mail_per_refund,
          statements_applied_once, outboxes_empty, nothing_parked, no_5xx)


def check(system, record, account_emails, extra=()):
    """Every invariant as ``[(name, ok, detail)]``; ``extra`` rows are appended as given."""
    snap = Snapshot(system)
    snap.account_emails = account_emails
    return [c(snap, record) for c in CHECKS] + list(extra)


def table(rows):
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{'invariant'.ljust(width)}  result  detail", "-" * (width + 60)]
    for name, ok, detail in rows:
        lines.append(f"{name.ljust(width)}  {'ok' if ok else 'FAIL':6}  {detail}")
    return "\n".join(lines)
