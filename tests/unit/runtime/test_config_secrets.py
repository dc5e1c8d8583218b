"""A process that serves (a service, the gateway) starts only with real secrets: SECRET_KEY and
ADMIN_TOKEN given, long and not a placeholder. `make run` alone may generate them into
DATA_DIR (it says so with DEV_SECRETS=1). services/runtime/config.py, no process started."""
import pytest

from services.runtime import config

STRONG = {"SECRET_KEY": "Zr3q8hX2vNc0pL5tW9yB1mK7dF4gJ6sA", "ADMIN_TOKEN": "p0Q9w8E7r6T5y4U3i2O1aSdFgHjKlZxC"}


def test_real_secrets_from_the_environment_are_taken(tmp_path):
    settings = config.load_for_process({"DATA_DIR": str(tmp_path), **STRONG})
    assert (settings.secret_key, settings.admin_token) == (STRONG["SECRET_KEY"], STRONG["ADMIN_TOKEN"])
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ADMIN_TOKEN"])
def test_a_missing_secret_stops_the_process_and_generates_nothing(tmp_path, missing):
    env = {"DATA_DIR": str(tmp_path), **STRONG}
    del env[missing]
    with pytest.raises(config.SecretsRefused, match=missing):
        config.load_for_process(env)
    assert not list(tmp_path.iterdir())


def test_secrets_left_in_the_data_folder_are_not_enough_outside_make_run(tmp_path):
    config.load_for_process({"DATA_DIR": str(tmp_path), "DEV_SECRETS": "1"})
    with pytest.raises(config.SecretsRefused):
        config.load_for_process({"DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize("weak", [
    "change-me", "changeme", "CHANGE_ME_PLEASE_0123456789abcdefghij", "secret", "x" * 64,
    "replace-with-a-long-random-string", "short-but-random-Q7", "k" * 32, "",
    "0123456789012345678901234567890123456789",
])
@pytest.mark.parametrize("name", ["SECRET_KEY", "ADMIN_TOKEN"])
def test_a_placeholder_or_short_secret_is_refused_even_under_make_run(tmp_path, name, weak):
    env = {"DATA_DIR": str(tmp_path), "DEV_SECRETS": "1", **STRONG, name: weak}
    if weak == "":
        del env["DEV_SECRETS"]  # empty is unset: only make run may generate one
    with pytest.raises(config.SecretsRefused, match=name):
        config.load_for_process(env)


def test_make_run_generates_strong_secrets_once_into_the_data_folder(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "DEV_SECRETS": "1"}
    first, second = config.load_for_process(env), config.load_for_process(env)
    assert first.secret_key == second.secret_key != first.admin_token
    assert len(first.secret_key) >= config.MIN_SECRET_LENGTH
    assert (tmp_path / "admin_token").stat().st_mode & 0o077 == 0
    assert config.weakness(first.secret_key) is None and config.weakness(first.admin_token) is None
