"""The gateway's access log never carries a URL's query string: reset and invitation links
carry their token there (the secret scan, tests/support/secret_scan.py, checks the real logs too)."""
import logging
import re

from gateway.app import create_app
from services.runtime import config, logs
from tests.support.fakes import FakeRpc
from tests.support.paths import ROOT

TOKEN = "Zq3vN8xK2pL5tR7wY1mB4cF6hJ9"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(logs.JsonFormatter("gateway"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_a_token_in_a_query_string_stays_out_of_the_access_log(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
    client = create_app(settings, rpc_client=FakeRpc({})).test_client()
    captured = Lines()  # after create_app: it sets the process's log handlers
    logging.getLogger().addHandler(captured)
    try:
        for path in ("/reset-password", "/invitations/accept", "/api/v1/nothing-here"):
            client.get(f"{path}?token={TOKEN}&next=/")
    finally:
        logging.getLogger().removeHandler(captured)
    lines = captured.lines
    assert len([line for line in lines if '"gateway.access"' in line]) == 3
    assert not [line for line in lines if TOKEN in line or "token=" in line]


def test_gunicorn_writes_no_access_log_of_its_own():
    """gunicorn's access log would print the full request line, query string included."""
    conf = (ROOT / "gateway" / "gunicorn.conf.py").read_text()
    assert re.search(r"^accesslog = None\b", conf, re.M)
