"""JSON API (seed SoportePlus paths). Authenticated with a Bearer token from /api/auth/login."""
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_jwt_extended import create_access_token, current_user, jwt_required
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from extensions import db, jwt, limiter
from models import User
from services.accounts import users as user_service

bp = Blueprint("api", __name__)


class LoginSchema(Schema):
    email = fields.String(load_default=None)
    username = fields.String(load_default=None)
    password = fields.String(required=True, validate=validate.Length(max=128))

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


def roles_allowed(*roles):
    """After jwt_required: the token's user must hold one of `roles`, else 403 JSON."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                return jsonify(error="forbidden", message=_("Your role may not do this.")), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator


def json_body(schema, allow_empty=False):
    """Parse the request body with `schema`; a 400 JSON response names what is wrong."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly nested JSON
        body = None
    if body is None and allow_empty and not request.get_data():
        body = {}
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
    if user.must_change_password:
        return jsonify(error="password_change_required",
                       message=_("Sign in on the web page and choose a new password first.")), 403
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
