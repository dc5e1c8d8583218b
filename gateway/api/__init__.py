"""The OpenAPI-documented JSON APIs (public /api/v1 and staff /internal/v1), via flask-smorest.

Request bodies are validated by the contract schemas before any RPC; a malformed body is a
400 problem document naming each field (webargs' default is 422; the contract says 400).
"""
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()


class Problem(Schema):
    """RFC 9457 problem document."""
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "field -> messages, on validation failures"})
    request_id = fields.String()


class BizPortalApi(Api):
    ERROR_SCHEMA = Problem


def init_app(app, blueprints):
    app.config.update(
        API_TITLE="BizPortal API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="api/v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
    )
    api = BizPortalApi(app, spec_kwargs={
        "info": {"description": "The online account portal of BizPortal business services."},
    })
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer",
                   "description": "An access token from /api/v1/auth/login"})
    api.spec.components.security_scheme(
        "staff", {"type": "http", "scheme": "bearer", "description": "The ADMIN_TOKEN"})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return api
