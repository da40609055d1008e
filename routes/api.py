"""JSON API (seed SoportePlus paths). Authenticated with a Bearer token from /api/auth/login."""
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_jwt_extended import create_access_token, current_user, jwt_required
from marshmallow import Schema, ValidationError, fields, validates_schema

from extensions import db, jwt, limiter
from models import User
from services import users as user_service

bp = Blueprint("api", __name__)


class LoginSchema(Schema):
    email = fields.String(load_default=None)
    username = fields.String(load_default=None)
    password = fields.String(required=True)

    @validates_schema(skip_on_field_errors=False)
    def login_name_given(self, data, **kwargs):
        if not (data.get("email") or data.get("username")):
            raise ValidationError(_("Give an email or a username."), field_name="email")


def user_json(user):
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "active": user.active,
        "locale": user.locale,
        "must_change_password": user.must_change_password,
    }


def json_body(schema):
    """Parse the request body with `schema`; a 400 JSON response names what is wrong."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, (jsonify(error="invalid_json", message=_("The body must be a JSON object.")), 400)
    try:
        return schema.load(body, unknown="exclude"), None
    except ValidationError as error:
        fields_ = {name: " ".join(messages) if isinstance(messages, list) else messages
                   for name, messages in error.normalized_messages().items()}
        return None, (jsonify(error="validation_error", message=_("Some fields are missing or invalid."),
                              fields=fields_), 400)


@bp.post("/auth/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def login():
    data, error = json_body(LoginSchema())
    if error:
        return error
    user = user_service.authenticate(data["email"] or data["username"], data["password"])
    if user is None:
        return jsonify(error="invalid_credentials", message=_("Wrong username, email or password.")), 401
    # The token carries the session token, so a password change or deactivation revokes it.
    token = create_access_token(identity=str(user.id), additional_claims={"sv": user.session_token})
    return jsonify(access_token=token, token_type="Bearer",
                   expires_in=int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
                   user=user_json(user))


@bp.get("/auth/me")
@jwt_required()
def me():
    return jsonify(user_json(current_user))


@jwt.user_lookup_loader
def load_token_user(_header, payload):
    user = db.session.get(User, int(payload["sub"]))
    if user is None or not user.active or user.session_token != payload.get("sv"):
        return None
    return user


@jwt.user_lookup_error_loader
def token_user_gone(_header, _payload):
    return jsonify(error="invalid_token", message=_("This token is no longer valid. Sign in again.")), 401


@jwt.unauthorized_loader
def token_missing(reason):
    return jsonify(error="authorization_required", message=_("Send an Authorization: Bearer token.")), 401


@jwt.invalid_token_loader
def token_invalid(reason):
    return jsonify(error="invalid_token", message=_("This token is not valid.")), 401


@jwt.expired_token_loader
def token_expired(_header, _payload):
    return jsonify(error="token_expired", message=_("This token has expired. Sign in again.")), 401
