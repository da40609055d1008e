"""The CAPTCHA of /soporte: an image drawn here (no outside service: many sites have no
internet). Each image is a row on the server holding an HMAC of its answer; the browser keeps
only its nonce, and checking an answer deletes the row, so an answer works once and reading or
replaying the browser's cookie gains nothing."""
import hashlib
import hmac
import secrets
from datetime import timedelta
from io import BytesIO

from captcha.image import ImageCaptcha
from flask import current_app
from sqlalchemy import delete

from extensions import db
from models import CaptchaChallenge
from services.timeutil import utcnow

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to confuse
LENGTH = 5
MAX_AGE = timedelta(minutes=15)
WIDTH, HEIGHT = 220, 80


def new_text():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def digest(nonce, answer):
    key = current_app.secret_key.encode()
    return hmac.new(key, f"captcha:{nonce}:{answer.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def issue(text=None):
    """Store a new challenge (and drop expired ones). Returns (nonce for the browser, PNG bytes)."""
    text = text or new_text()
    now, nonce = utcnow(), secrets.token_hex(16)
    db.session.execute(delete(CaptchaChallenge).where(CaptchaChallenge.created_at < now - MAX_AGE))
    db.session.add(CaptchaChallenge(nonce=nonce, digest=digest(nonce, text), created_at=now))
    db.session.commit()
    image = ImageCaptcha(width=WIDTH, height=HEIGHT).generate(text)
    return nonce, BytesIO(image.getvalue())


def passed(nonce, answer):
    """True when `answer` matches the image of `nonce`; the challenge is spent either way, so
    each image works once (a missing answer just spends it)."""
    if not isinstance(nonce, str):
        return False
    table = CaptchaChallenge.__table__
    issued = db.session.execute(delete(table).where(table.c.nonce == nonce)
                                .returning(table.c.digest, table.c.created_at)).first()
    db.session.commit()
    if issued is None or not answer or utcnow() - issued.created_at > MAX_AGE:
        return False
    return hmac.compare_digest(issued.digest, digest(nonce, answer))
