"""/api/v1/asyncapi.json: the AsyncAPI 3.0 document of the events internal teams subscribe to.

Public like /api/v1/openapi.json, and a plain blueprint (not an ApiBlueprint): it is no
operation of the customer API, only a description of the broker's side. Built from the event
catalogue, once: the same text as docs/asyncapi.json (tests/unit/test_asyncapi.py), which the
container image does not carry.
"""
from functools import lru_cache

from flask import Blueprint, Response

from services.contracts import asyncapi

bp = Blueprint("asyncapi", __name__)


@lru_cache(maxsize=1)
def _document():
    return asyncapi.render()


@bp.get("/api/v1/asyncapi.json")
def asyncapi_json():
    return Response(_document(), mimetype="application/json")
