"""The CAPTCHA of /soporte: six digits drawn as an image here, and the same digits spoken, for
people who cannot see the image (no outside service: many sites have no internet).

Each challenge is a row on the server holding an HMAC of its answer, so checking an answer
deletes the row and an answer works once; asking for a new image replaces the row. The browser's
session keeps the nonce and the digits sealed with a key only the server has (an HMAC of the
nonce, used once, as a one-time pad), so the spoken version can be made for the same challenge
later while reading or replaying the cookie reveals nothing.

Digits, because they are what an audio CAPTCHA can say clearly in either language (a letter's
name is easily misheard: B, D, E, P, T, V), and a phone shows a number pad for them. The
recordings are in captcha_voice/<language>/<digit>/ (tools/make_captcha_voice.py): the page's
language speaks, Spanish or English.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from captcha.image import ImageCaptcha
from flask import current_app
from sqlalchemy import delete, select

from extensions import db
from models import CaptchaChallenge
from services.helpdesk.captcha_audio import Recorder
from services.timeutil import utcnow

ALPHABET = "0123456789"
LENGTH = 6
MAX_AGE = timedelta(minutes=15)
WIDTH, HEIGHT = 220, 80
INK_MAX = 100  # the lightest value of a channel of the digits' colour
VOICE_DIR = Path(__file__).with_name("captcha_voice")
VOICES = {}  # language → its Recorder (an AudioCaptcha), which keeps the recordings in memory once read


def new_text():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def keyed(purpose, nonce):
    return hmac.new(current_app.secret_key.encode(), f"captcha-{purpose}:{nonce}".encode(), hashlib.sha256)


def digest(nonce, answer):
    key = current_app.secret_key.encode()
    typed = "".join(answer.split()).upper()  # "480 315" as heard, digit groups apart
    return hmac.new(key, f"captcha:{nonce}:{typed}".encode(), hashlib.sha256).hexdigest()


def seal(nonce, text):
    """`text` (ASCII, at most 32 characters) encrypted for the browser's session."""
    pad = keyed("seal", nonce).digest()
    return bytes(char ^ key for char, key in zip(text.encode(), pad, strict=False)).hex()


def unseal(nonce, sealed):
    """The text `seal` sealed, or None when the session holds something else."""
    try:
        data = bytes.fromhex(sealed)
    except (TypeError, ValueError):
        return None
    pad = keyed("seal", nonce).digest()
    text = bytes(char ^ key for char, key in zip(data, pad, strict=False))
    return text.decode() if text.isascii() and text.isalnum() else None


def discard(nonce):
    """Spend a challenge: its answer stops working (a new image replaced it)."""
    if isinstance(nonce, str):
        db.session.execute(delete(CaptchaChallenge).where(CaptchaChallenge.nonce == nonce))
        db.session.commit()


def issue(replacing=None, text=None):
    """Store a new challenge in place of `replacing` (the nonce of the one it replaces), and drop
    expired ones. Returns (nonce, sealed text) for the browser's session, and the text to draw."""
    text = text or new_text()
    now, nonce = utcnow(), secrets.token_hex(16)
    table = CaptchaChallenge.__table__
    gone = table.c.created_at < now - MAX_AGE
    if isinstance(replacing, str):
        gone = gone | (table.c.nonce == replacing)
    db.session.execute(delete(table).where(gone))
    db.session.add(CaptchaChallenge(nonce=nonce, digest=digest(nonce, text), created_at=now))
    db.session.commit()
    return nonce, seal(nonce, text), text


def live_text(nonce, sealed):
    """The digits of the session's challenge while it can still be answered, else None."""
    if not isinstance(nonce, str):
        return None
    created = db.session.scalar(select(CaptchaChallenge.created_at).where(CaptchaChallenge.nonce == nonce))
    if created is None or utcnow() - created > MAX_AGE:
        return None
    return unseal(nonce, sealed)


def ink():
    """A dark colour for the digits, opaque: at least 5:1 against the package's light backgrounds
    (each channel 238-255), where its own choice (each channel 10-200, partly transparent) can be a
    pale grey on white that people with low vision cannot read."""
    return (*(secrets.randbelow(INK_MAX - 9) + 10 for _ in range(3)), 255)


def image(text):
    """The PNG of `text`, distorted and on a noisy background, the digits solid in a dark ink.

    The package pastes each digit through a mask made from the digit's own brightness (its
    `lookup_table`, value times 1.97), so a dark digit would come out faint, whatever its colour:
    here the mask is opaque wherever the digit is drawn in full, and fades only at its edges."""
    colour = ink()
    brightness = (colour[0] * 299 + colour[1] * 587 + colour[2] * 114) // 1000  # what convert("L") gives
    drawer = ImageCaptcha(width=WIDTH, height=HEIGHT)
    drawer.lookup_table = [min(255, value * 255 // brightness) for value in range(256)]
    return BytesIO(drawer.generate(text, fg_color=colour).getvalue())


def spoken_languages():
    return sorted(path.name for path in VOICE_DIR.iterdir() if path.is_dir())


def speak(text, language):
    """A WAV (8 kHz, 8-bit, mono) of `text` read digit by digit in `language`: three beeps, the
    digits about a second apart in a murmur of reversed speech, then a last beep (captcha_audio.py)."""
    if language not in VOICES:
        VOICES[language] = Recorder(voicedir=str(VOICE_DIR / language))
    return BytesIO(bytes(VOICES[language].generate(text)))


def passed(nonce, answer):
    """True when `answer` matches the challenge of `nonce`; the challenge is spent either way, so
    each works once (a missing answer just spends it)."""
    if not isinstance(nonce, str):
        return False
    table = CaptchaChallenge.__table__
    issued = db.session.execute(delete(table).where(table.c.nonce == nonce)
                                .returning(table.c.digest, table.c.created_at)).first()
    db.session.commit()
    if issued is None or not answer or utcnow() - issued.created_at > MAX_AGE:
        return False
    return hmac.compare_digest(issued.digest, digest(nonce, answer))
