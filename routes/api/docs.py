"""GET /api/openapi.json: the API's OpenAPI 3 document, public so front-end developers and
client generators can read it without an account."""
from flask import Blueprint, current_app, jsonify

from routes.api.openapi import openapi_document

bp = Blueprint("api_docs", __name__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app))
