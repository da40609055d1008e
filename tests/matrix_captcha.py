"""Role-matrix rows for the CAPTCHA of /soporte (see test_role_matrix.py; routes/helpdesk/captcha.py).
Everyone may ask for the challenge, signed in or not: the filing page is public. The image's row,
GET /soporte/captcha.png, is with the other /soporte rows in matrix_helpdesk.py."""
from tests.matrix import EVERYONE

CAPTCHA_ROWS = [
    # The session's challenge spoken (a new one when the session has none): a WAV for every role.
    ("GET", "/soporte/captcha.wav", "/soporte/captcha.wav", dict.fromkeys(EVERYONE, 200)),
]
