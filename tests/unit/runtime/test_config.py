"""Configuration is read from the environment in one place, with the documented defaults."""
from services.runtime import config


def test_defaults_need_nothing_but_a_broker(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path)})
    assert settings.amqp_uri == "amqp://guest:guest@localhost:5672/"
    assert settings.port == 8080
    assert settings.public_url == "http://localhost:8080"
    assert settings.database_url("billing") == f"sqlite:///{tmp_path}/billing.db"
    assert settings.smtp_url is None
    assert settings.mail_dir == tmp_path / "mail"


def test_generated_secrets_are_kept_so_every_process_agrees(tmp_path):
    first = config.load({"DATA_DIR": str(tmp_path)})
    second = config.load({"DATA_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert first.admin_token == second.admin_token != first.secret_key
    assert (tmp_path / "admin_token").stat().st_mode & 0o077 == 0


def test_each_variable_overrides_its_default(tmp_path):
    env = {"DATA_DIR": str(tmp_path), "AMQP_URI": "amqp://u:p@rabbit:5672/v", "PORT": "9000",
           "BILLING_DATABASE_URL": "postgresql://pg/billing", "SMTP_URL": "smtp://mail:25",
           "SECRET_KEY": "s", "ADMIN_TOKEN": "t", "PUBLIC_URL": "https://portal.example/"}
    settings = config.load(env)
    assert settings.amqp_uri == "amqp://u:p@rabbit:5672/v"
    assert settings.database_url("billing") == "postgresql://pg/billing"
    assert settings.database_url("identity").startswith("sqlite:///")
    assert (settings.port, settings.secret_key, settings.admin_token) == (9000, "s", "t")
    assert settings.public_url == "https://portal.example"
    assert settings.smtp_url == "smtp://mail:25"
    assert set(env) <= set(config.VARIABLES)


def test_under_make_run_mailed_links_point_at_the_portal_not_the_service_s_own_port(tmp_path):
    """honcho gives each process its own PORT (notifications got 18582 while the portal was
    on 18282: the alert mails' reset links pointed at nothing); GATEWAY_PORT is the portal."""
    settings = config.load({"DATA_DIR": str(tmp_path), "PORT": "18582",
                            "GATEWAY_PORT": "18282"})
    assert settings.public_url == "http://localhost:18282"
    assert settings.port == 18582


def test_an_unset_variable_takes_the_settings_field_default(tmp_path):
    import dataclasses
    settings = config.load({"DATA_DIR": str(tmp_path)}, generate=False)
    computed = {"database_urls", "smtp_url", "secret_key", "admin_token", "public_url",
                "key_encryption_key"}
    for field in dataclasses.fields(config.Settings):
        if field.default is not dataclasses.MISSING and field.name not in computed:
            assert getattr(settings, field.name) == field.default, field.name


def test_suspend_after_days_defaults_to_30_reaches_billing_and_refuses_nonsense(tmp_path):
    import pytest
    assert config.load({"DATA_DIR": str(tmp_path)}).suspend_after_days == 30
    settings = config.load({"DATA_DIR": str(tmp_path), "SUSPEND_AFTER_DAYS": "45"})
    assert settings.suspend_after_days == 45
    assert config.nameko_config("billing", settings)["SUSPEND_AFTER_DAYS"] == 45
    for bad in ("14", "0", "-30", "366", "thirty", "3\u0663"):  # 14: before the last reminder
        with pytest.raises(ValueError, match="SUSPEND_AFTER_DAYS"):
            config.load({"DATA_DIR": str(tmp_path), "SUSPEND_AFTER_DAYS": bad})


def test_autopay_notice_days_defaults_to_3_reaches_payments_and_refuses_nonsense(tmp_path):
    import pytest
    assert config.load({"DATA_DIR": str(tmp_path)}).autopay_notice_days == 3
    settings = config.load({"DATA_DIR": str(tmp_path), "AUTOPAY_NOTICE_DAYS": "5"})
    assert settings.autopay_notice_days == 5
    assert config.nameko_config("payments", settings)["AUTOPAY_NOTICE_DAYS"] == 5
    for bad in ("0", "29", "-1", "three", "٣"):
        with pytest.raises(ValueError, match="AUTOPAY_NOTICE_DAYS"):
            config.load({"DATA_DIR": str(tmp_path), "AUTOPAY_NOTICE_DAYS": bad})
