"""The /soporte CAPTCHA for everyone: a new image on demand (with and without JavaScript) and the
same challenge spoken, in the page's language, for people who cannot see the image. The honeypot,
single-use answers and the rate limits hold.

The tests know each answer from the generator: `new_text` is replaced by a list of known digits,
and the recording's digits are read from `speak`, which says them.
"""
import io
import random
import re
import wave

import pytest
from captcha import audio as package
from PIL import Image

from extensions import db
from models import CaptchaChallenge, Ticket
from services.helpdesk import captcha, captcha_audio


@pytest.fixture
def answers(monkeypatch):
    """The digits of the challenges to come, in order."""
    upcoming = ["480315", "902716", "553108", "664201", "117390", "238845"]
    monkeypatch.setattr(captcha, "new_text", lambda: upcoming.pop(0))
    return upcoming


@pytest.fixture
def spoken(monkeypatch):
    """What each recording said: (digits, language), the real recording still made."""
    said = []
    real = captcha.speak

    def speak(text, language):
        said.append((text, language))
        return real(text, language)

    monkeypatch.setattr(captcha, "speak", speak)
    return said


def form(desk, **values):
    data = {"name": "María José Ñúñez Peña", "email": "mjose@example.org", "title": "No enciende el proyector",
            "description": "La sala de juntas **no tiene** imagen.", "category_id": desk["printer"]}
    return data | values


@pytest.fixture
def desk(helpdesk):
    return helpdesk


def tickets_filed(data):
    with data():
        return db.session.query(Ticket).count()


def challenges(data):
    with data():
        return db.session.query(CaptchaChallenge).count()


def refused(response):
    return response.status_code == 200 and "no coinciden" in response.get_data(as_text=True)


# --- the page --------------------------------------------------------------------------------------


def test_the_page_offers_a_new_image_and_the_recording_with_or_without_javascript(client, desk):
    page = client.get("/soporte").get_data(as_text=True)
    assert 'id="captcha-image"' in page and 'alt="Imagen con los dígitos que debe escribir"' in page
    assert ('<button type="submit" name="new_captcha" value="1" formnovalidate\n'
            '              formaction="/soporte#captcha-block"') in page  # works without JavaScript
    assert 'id="captcha-listen" hidden' in page  # the script shows it
    assert '<noscript>\n        <a class="btn btn-outline-secondary py-2" href="/soporte/captcha.wav"' in page
    assert 'inputmode="numeric"' in page and '<label class="form-label" for="captcha">' in page
    assert "la grabación los dice en español" in page and 'role="status" id="captcha-status"' in page
    assert "/static/js/captcha.js" in page and 'name="website"' in page  # the honeypot stays
    english = client.get("/soporte", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the recording says them in English" in english and "New image" in english


def test_enter_in_a_field_sends_the_form_and_never_asks_for_a_new_image(client, desk):
    """A browser sends a form on Enter through its first submit button: that must not be "New image"."""
    page = client.get("/soporte").get_data(as_text=True)
    form = page.split('id="public-ticket-form"')[1].split("</form>")[0]
    first_submit = re.search(r"<button type=\"submit\"[^>]*>", form).group(0)
    assert "new_captcha" not in first_submit and 'tabindex="-1"' in first_submit
    assert form.index(first_submit) < form.index('name="new_captcha"')


# --- a new image ---------------------------------------------------------------------------------------


def test_a_new_image_replaces_the_challenge_and_the_old_answer_stops_working(client, desk, answers, data):
    client.get("/soporte/captcha.png")  # 480315
    with client.session_transaction() as session:
        old_cookie = dict(session)
    new = client.get("/soporte/captcha.png")  # 902716 replaces it
    assert new.status_code == 200 and new.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert new.headers["Cache-Control"] == "no-store"
    assert challenges(data) == 1  # the first one is gone from the server, not only from the session
    assert refused(client.post("/soporte", data=form(desk, captcha="480315")))
    with client.session_transaction() as session:  # the old cookie, replayed, holds a spent challenge
        session.update(old_cookie)
    assert refused(client.post("/soporte", data=form(desk, captcha="480315")))
    client.get("/soporte/captcha.png")  # 553108
    assert client.post("/soporte", data=form(desk, captcha="553108")).status_code == 302
    assert tickets_filed(data) == 1


def test_new_image_without_javascript_brings_the_form_back_as_typed(client, desk, answers, data):
    client.get("/soporte/captcha.png")  # 480315
    response = client.post("/soporte", data=form(desk, captcha="4803", new_captcha="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and tickets_filed(data) == 0
    assert 'value="María José Ñúñez Peña"' in page and "La sala de juntas **no tiene** imagen." in page
    assert "is-invalid" not in page and "no coinciden" not in page  # nothing was wrong
    assert 'value="4803"' not in page  # the answer box comes back empty
    assert challenges(data) == 0  # spent; the page's <img> asks for the next one
    assert refused(client.post("/soporte", data=form(desk, captcha="480315")))
    client.get("/soporte/captcha.png")  # 902716
    assert client.post("/soporte", data=form(desk, captcha="902716")).status_code == 302


def test_new_images_never_count_against_the_filing_limit_and_filings_still_do(app, desk, answers, data):
    default, app.config["PUBLIC_TICKET_RATE_LIMIT"] = app.config["PUBLIC_TICKET_RATE_LIMIT"], "2 per minute"
    client = app.test_client()
    try:
        assert [client.post("/soporte", data=form(desk, new_captcha="1")).status_code for _ in range(4)] == [200] * 4
        codes = [client.post("/soporte", data=form(desk, captcha="000000")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.post("/soporte", data=form(desk, new_captcha="1")).status_code == 200
    finally:
        app.config["PUBLIC_TICKET_RATE_LIMIT"] = default
    assert tickets_filed(data) == 0


def test_the_honeypot_still_files_nothing_whatever_the_answer(client, desk, answers, data):
    client.get("/soporte/captcha.png")
    response = client.post("/soporte", data=form(desk, captcha="480315", website="http://spam.example"))
    assert response.status_code == 302 and tickets_filed(data) == 0


# --- the recording -------------------------------------------------------------------------------------


def wav(response):
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.headers["Cache-Control"] == "no-store" and "Accept-Ranges" not in response.headers
    with wave.open(io.BytesIO(response.data)) as recording:
        assert (recording.getframerate(), recording.getsampwidth(), recording.getnchannels()) == (8000, 1, 1)
        return recording.getnframes() / recording.getframerate()


def test_the_recording_says_the_images_digits_in_spanish_and_answers_the_same_challenge(
        client, desk, answers, spoken, data):
    client.get("/soporte/captcha.png")  # 480315
    seconds = wav(client.get("/soporte/captcha.wav"))
    assert spoken == [("480315", "es")]
    assert seconds > len("480315") * 1.2  # each digit with a second or more of murmur between
    wav(client.get("/soporte/captcha.wav"))  # listening again does not spend the challenge
    assert spoken[-1] == ("480315", "es") and challenges(data) == 1
    assert client.post("/soporte", data=form(desk, captcha="480 315")).status_code == 302  # typed as heard
    assert tickets_filed(data) == 1


def test_the_recording_speaks_english_on_the_english_page(client, desk, answers, spoken):
    client.post("/language", data={"locale": "en"})
    client.get("/soporte/captcha.png")
    wav(client.get("/soporte/captcha.wav"))
    assert spoken == [("480315", "en")]


def test_after_a_new_image_the_recording_says_the_new_digits(client, desk, answers, spoken, data):
    client.get("/soporte/captcha.png")  # 480315
    client.get("/soporte/captcha.wav")
    client.get("/soporte/captcha.png")  # 902716
    client.get("/soporte/captcha.wav")
    assert [text for text, _ in spoken] == ["480315", "902716"]
    assert refused(client.post("/soporte", data=form(desk, captcha="480315")))


def test_without_the_image_the_recording_brings_its_own_challenge(client, desk, answers, spoken, data):
    wav(client.get("/soporte/captcha.wav"))  # a browser that never loaded the image
    assert spoken == [("480315", "es")]
    assert client.post("/soporte", data=form(desk, captcha="480315")).status_code == 302


def test_a_spent_challenge_is_never_spoken(client, desk, answers, spoken):
    client.get("/soporte/captcha.png")  # 480315
    assert refused(client.post("/soporte", data=form(desk, captcha="111111")))
    client.get("/soporte/captcha.wav")
    assert spoken == [("902716", "es")]  # a new one, never the spent 480315


def test_the_session_holds_neither_the_digits_nor_the_answer(client, desk, answers):
    client.get("/soporte/captcha.png")
    with client.session_transaction() as session:
        assert "480315" not in repr(dict(session))


def test_image_and_recording_are_rate_limited(app, desk):
    default, app.config["CAPTCHA_RATE_LIMIT"] = app.config["CAPTCHA_RATE_LIMIT"], "3 per minute"
    client = app.test_client()
    try:
        images = [client.get("/soporte/captcha.png").status_code for _ in range(4)]
        recordings = [client.get("/soporte/captcha.wav").status_code for _ in range(4)]
    finally:
        app.config["CAPTCHA_RATE_LIMIT"] = default
    assert images == [200, 200, 200, 429] and recordings == [200, 200, 200, 429]


def luminance(colour):
    """WCAG's relative luminance of an (r, g, b) colour."""
    channels = [value / 255 for value in colour[:3]]
    red, green, blue = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_digits_are_dark_enough_to_read_on_the_light_background():
    lightest_background = luminance((238, 238, 238))  # the package's backgrounds: each channel 238-255
    for _ in range(200):
        ink = captcha.ink()
        assert ink[3] == 255  # opaque: the package's own colours are partly transparent
        assert (lightest_background + 0.05) / (luminance(ink) + 0.05) >= 5
    for _ in range(20):  # the digits themselves come out solid: the package's mask would make dark ink faint
        with Image.open(captcha.image("480315")) as picture:
            assert picture.size == (captcha.WIDTH, captcha.HEIGHT)
            shades = list(picture.convert("L").getdata())
        assert sum(shade <= 110 for shade in shades) / len(shades) > 0.05  # dots and the curve alone: ~1%


def test_every_digit_has_recordings_in_both_languages():
    assert captcha.spoken_languages() == ["en", "es"]
    for language in ("es", "en"):
        for digit in captcha.ALPHABET:
            recordings = list((captcha.VOICE_DIR / language / digit).glob("*.wav"))
            assert len(recordings) == 3, (language, digit)
            for path in recordings:
                with wave.open(str(path)) as recording:
                    assert (recording.getframerate(), recording.getsampwidth()) == (8000, 1)
                    assert 0.2 < recording.getnframes() / 8000 < 1.2


def test_the_fast_recording_steps_give_the_captcha_packages_own_results():
    """captcha_audio.py does the package's sample loops in C: same input, same output."""
    generator = random.Random(11)
    for _ in range(60):
        body = bytearray(generator.randbytes(generator.randint(0, 3000)))
        for speed in (0.8, 0.93, 1.0, 1.07, 1.2):
            assert captcha_audio.change_speed(bytearray(body), speed) == package.change_speed(bytearray(body), speed)
        for level in (0.2, 0.6, 0.8, 1.0, 1.2):
            assert captcha_audio.change_sound(bytearray(body), level) == package.change_sound(bytearray(body), level)
        hiss = bytearray(generator.randint(126, 129) for _ in range(generator.randint(0, 3000)))
        assert captcha_audio.mix_wave(bytearray(body), bytearray(hiss)) == package.mix_wave(bytearray(body),
                                                                                             bytearray(hiss))
    assert set(captcha_audio.hiss(10_000)) == {126, 127, 128, 129}
