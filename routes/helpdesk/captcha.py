"""The CAPTCHA of /soporte (services/helpdesk/captcha.py; the form's part is
templates/helpdesk/_captcha.html with static/js/captcha.js).

- GET /soporte/captcha.png: a new challenge, in place of the session's one, as an image. The page
  asks for it when it loads, and again for "New image" (a new URL from the script, or the page
  coming back after the button's POST without JavaScript).
- GET /soporte/captcha.wav: the session's challenge spoken in the page's language, the same digits
  as the image; a new challenge when there is none to answer (the image was never loaded).

Both are rate limited (CAPTCHA_RATE_LIMIT per address) and never cached.
"""
from flask import current_app, send_file, session
from flask_babel import get_locale

from extensions import limiter
from routes.helpdesk import bp
from services.helpdesk import captcha

SESSION_NONCE, SESSION_SEALED = "captcha", "captcha_sealed"


def captcha_rate_limit():
    return current_app.config["CAPTCHA_RATE_LIMIT"]


def new_challenge():
    """Issue a challenge replacing the session's one; returns its digits."""
    nonce, sealed, text = captcha.issue(replacing=session.get(SESSION_NONCE))
    session[SESSION_NONCE], session[SESSION_SEALED] = nonce, sealed
    return text


def forget_challenge():
    """The session's challenge, taken out of the session (its nonce, or None)."""
    session.pop(SESSION_SEALED, None)
    return session.pop(SESSION_NONCE, None)


def uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/soporte/captcha.png")
@limiter.limit(captcha_rate_limit)
def captcha_image():
    return uncached(send_file(captcha.image(new_challenge()), mimetype="image/png"))


def spoken_language():
    """The language the recording speaks: the page's, else the organisation's default."""
    language = get_locale().language
    return language if language in captcha.spoken_languages() else current_app.config["DEFAULT_LOCALE"]


@bp.get("/soporte/captcha.wav")
@limiter.limit(captcha_rate_limit)
def captcha_audio():
    text = captcha.live_text(session.get(SESSION_NONCE), session.get(SESSION_SEALED)) or new_challenge()
    # The whole file in one answer, no byte ranges: each request speaks the digits anew.
    return uncached(send_file(captcha.speak(text, spoken_language()), mimetype="audio/wav", conditional=False,
                              download_name="captcha.wav"))


bp.add_app_template_global(captcha.LENGTH, "captcha_length")
bp.add_app_template_global(spoken_language, "captcha_spoken_language")
