"""Signing in to the JSON API: POST /api/auth/login returns a Bearer token, GET /api/auth/me the
account it belongs to; the token checks every API route makes (the blueprint is `api`)."""
from functools import wraps

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from flask_jwt_extended import create_access_token, current_user, jwt_required
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from extensions import db, jwt, limiter
from models import Role, User
from routes.api.requests import json_body
from services.accounts import users as user_service
from web.errors import error_response

bp = Blueprint("api", __name__)


class LoginSchema(Schema):
    email = fields.String(load_default=None)
    username = fields.String(load_default=None)
    password = fields.String(required=True, validate=validate.Length(max=128))

    @validates_schema(skip_on_field_errors=False)
    def login_name_given(self, data, **kwargs):
        if not (data.get("email") or data.get("username")):
            raise ValidationError(_("Give an email or a username."), field_name="email")


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    email = fields.String(allow_none=True)
    full_name = fields.String()
    role = fields.Enum(Role, by_value=True, metadata={"type": "string"})
    active = fields.Boolean()
    locale = fields.String(allow_none=True)
    must_change_password = fields.Boolean()


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "seconds"})
    user = fields.Nested(UserSchema)


def roles_allowed(*roles):
    """After jwt_required: the token's user must hold one of `roles`, else 403 JSON."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                return error_response(403, "forbidden", _("Your role may not do this."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.post("/auth/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def login():
    data, error = json_body(LoginSchema())
    if error:
        return error
    user = user_service.authenticate(data["email"] or data["username"], data["password"])
    if user is None:
        return error_response(401, "invalid_credentials", _("Wrong username, email or password."))
    if user.must_change_password:
        return error_response(403, "password_change_required",
                              _("Sign in on the web page and choose a new password first."))
    # The token carries the session token, so a password change or deactivation revokes it.
    token = create_access_token(identity=str(user.id), additional_claims={"sv": user.session_token})
    return jsonify(TokenSchema().dump({
        "access_token": token, "token_type": "Bearer", "user": user,
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())}))


@bp.get("/auth/me")
@jwt_required()
def me():
    return jsonify(UserSchema().dump(current_user))


@jwt.user_lookup_loader
def load_token_user(_header, payload):
    user = db.session.get(User, int(payload["sub"]))
    if user is None or not user.active or user.session_token != payload.get("sv"):
        return None
    return user


@jwt.user_lookup_error_loader
def token_user_gone(_header, _payload):
    return error_response(401, "invalid_token", _("This token is no longer valid. Sign in again."))


@jwt.unauthorized_loader
def token_missing(reason):
    return error_response(401, "authorization_required", _("Send an Authorization: Bearer token."))


@jwt.invalid_token_loader
def token_invalid(reason):
    return error_response(401, "invalid_token", _("This token is not valid."))


@jwt.expired_token_loader
def token_expired(_header, _payload):
    return error_response(401, "token_expired", _("This token has expired. Sign in again."))
