"""The `make run` banner (services/bootstrap.py) shows the staff token masked, with where to
read it in full: a terminal scroll-back, a screen share or a CI log must not hold it."""
from services import bootstrap
from services.runtime import config

DEMO = {"account_number": "3568834862611100", "security_key": "GWJ6VZY5"}


def test_the_banner_masks_a_generated_staff_token_and_names_its_file(tmp_path):
    settings = config.load_for_process({"DATA_DIR": str(tmp_path), "DEV_SECRETS": "1"})
    text = bootstrap.banner(settings, DEMO)
    assert settings.admin_token not in text
    assert settings.admin_token[:4] + "…" in text
    assert str(tmp_path / "admin_token") in text
    assert settings.secret_key not in text


def test_a_staff_token_from_the_environment_is_masked_and_said_to_be_there(tmp_path):
    token = "Zr3q8hX2vNc0pL5tW9yB1mK7dF4gJ6sA"
    settings = config.load_for_process({"DATA_DIR": str(tmp_path), "DEV_SECRETS": "1",
                                        "ADMIN_TOKEN": token})
    text = bootstrap.banner(settings, DEMO)
    assert token not in text and "ADMIN_TOKEN" in text
