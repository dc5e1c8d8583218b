"""The short chaos run for `make test`: the whole system on a private RabbitMQ node and a
private PostgreSQL cluster (tests/chaos/infra.py; the shared servers are never touched), a
few hundred operations of mixed load, one fault of each kind (a service killed with -9, the
broker's app stopped and started, PostgreSQL restarted, a gateway worker killed), then every
invariant of issue 7 asserted. Nothing is faked. The long run is `make chaos`."""
import os
import shutil

import pytest

from tests.chaos import faults
from tests.chaos.infra import PG_BIN
from tests.chaos.run import run

SHORT_OPS = 300


@pytest.mark.skipif(shutil.which("rabbitmq-server") is None or PG_BIN is None
                    or os.geteuid() != 0,
                    reason="needs rabbitmq-server and PostgreSQL's server binaries, and root "
                           "(the private servers run as the rabbitmq and postgres users)")
def test_nothing_is_lost_or_done_twice_when_each_part_fails_under_load():
    kinds = [faults.kill_service("payments"),
             *[f for f in faults.every_fault() if f.part in ("broker", "database", "gateway")]]
    result = run(SHORT_OPS, kinds)
    print("\n" + result.report())
    failed = [f"{name}: {detail}" for name, ok, detail in result.rows if not ok]
    assert not failed, "\n".join(failed)
    assert result.ops >= SHORT_OPS
