"""billing: the money rules its SQL applies give what services/contracts/money.py gives in
Python, on the real databases (SQLite and PostgreSQL) and the same inputs."""
import pytest
from sqlalchemy import text

from services.contracts import money
from services.runtime.database import make_engine

# the .5 edges either side, whole cents, credits (negative cents) and rates of every kind
CENTS = (0, 1, 9, 10, 11, 19, 20, 30, 99, 100, 999, 1000, 2999, 5998, 12999, 123457, 9999999,
         -1, -9, -10, -11, -20, -30, -999, -1000, -123457)
BASIS_POINTS = (0, 1, 400, 500, 600, 625, 650, 663, 725, 5000, 9999, 10000)


@pytest.fixture
def engine(database):
    engine = make_engine(database("billing"))
    with engine.begin() as conn:  # BIGINT: what the bill run's sum() of integer cents yields
        conn.execute(text("CREATE TABLE money_cases (cents BIGINT, bp INTEGER)"))
        conn.execute(text("INSERT INTO money_cases VALUES (:c, :b)"),
                     [{"c": c, "b": b} for c in CENTS for b in BASIS_POINTS])
    yield engine
    engine.dispose()


def test_the_bill_runs_percentages_round_as_percent_of_does(engine):
    with engine.connect() as conn:
        # a bound parameter, as in the bill run: the driver then parses the statement's text
        rows = conn.execute(text(f"SELECT cents, bp, {money.percent_of_sql('cents', 'bp')} "
                                 "FROM money_cases WHERE bp >= :lowest"), {"lowest": 0}).all()
    assert len(rows) == len(CENTS) * len(BASIS_POINTS)
    assert {(c, b): r for c, b, r in rows} == {
        (c, b): money.percent_of(c, b) for c in CENTS for b in BASIS_POINTS}


def test_the_csv_charge_column_reads_as_decimal_does(engine, database):
    if database.kind != "postgresql":
        pytest.skip("the export formats its pages in the server on PostgreSQL only")
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT DISTINCT cents, {money.decimal_sql('cents')} "
                                 "FROM money_cases WHERE bp >= :lowest"), {"lowest": 0}).all()
    assert dict(rows) == {c: money.decimal(c) for c in CENTS}
