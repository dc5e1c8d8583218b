"""create_app(): the gateway's Flask application factory."""
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from gateway import api, asyncapi, health, observability, problems, proxies, security_headers, web
from gateway.api import (account_services, account_settings, accounts, auth, disputes, fraud,
                         help, insight, me, notifications, passkeys, payments, sessions,
                         statements, usage_alerts, users)
from gateway.rpc import RpcClient
from gateway.staff import bp as staff_bp
from gateway.web import assets as web_assets
from services.runtime import config as config_mod, logs

csrf = CSRFProtect()

MAX_BODY_BYTES = 1024 * 1024  # nothing a customer sends is bigger; usage batches included


def create_app(settings=None, rpc_client=None):
    """Build the gateway. ``settings`` defaults to the environment; ``rpc_client`` to a
    pooled client on AMQP_URI (tests may pass their own)."""
    settings = settings or config_mod.load_for_process()  # real secrets, or no gateway
    logs.configure("gateway", settings.log_level)
    app = Flask(__name__, static_folder=None)  # the portal blueprint serves /static
    app.config.update(
        SECRET_KEY=settings.secret_key,
        ADMIN_TOKEN=settings.admin_token,
        PUBLIC_URL=settings.public_url,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_NAME="bizportal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead
        JSON_SORT_KEYS=False,
    )
    app.extensions["rpc"] = rpc_client or RpcClient(settings.amqp_uri, settings.rpc_timeout,
                                                    settings.heartbeat)
    app.extensions["settings"] = settings

    observability.init_app(app)
    security_headers.init_app(app)  # every response, portal and API
    public = [auth.bp, me.bp, sessions.bp, passkeys.bp, notifications.bp, accounts.bp,
              account_settings.bp, statements.bp, insight.bp, disputes.bp, account_services.bp,
              fraud.bp, payments.bp, usage_alerts.bp, users.bp, help.bp]
    api.init_app(app, public, [staff_bp])  # two documents: customers', staff's
    problems.init_app(app)  # after flask-smorest, so problem documents win
    csrf.init_app(app)
    for blueprint in public + [staff_bp]:
        csrf.exempt(blueprint)  # bearer tokens, not cookies: no cross-site forgery to stop
    app.register_blueprint(health.bp)
    app.register_blueprint(asyncapi.bp)  # the events' AsyncAPI document, public
    app.register_blueprint(web.bp)

    # the client's address and scheme: from X-Forwarded-* only through a trusted proxy
    app.wsgi_app = proxies.TrustedProxies(app.wsgi_app, settings.forwarded_allow_ips)

    web_assets.init_app(app, web.bp.static_folder)  # /docs/assets too; caching, compression
    return app
