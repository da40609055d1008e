"""In Chromium started as an unattended TV is (--autoplay-policy=no-user-gesture-required): the call
screen starts with sound and no "Enable sound" button, announces each call with the recorded words
in the screen's language, in order, after the chime (also when the setting asks for the browser's
voice and the browser has no local one), and after a lost connection announces the latest call it
missed, once. (Without the flag, the button shows: tests/e2e/test_display_browser.py.)"""
import re

import pytest

from tests.e2e.conftest import CHROMIUM
from tests.support.browser import expect, wait_in_page
from tests.support.call_screens import SERVICE_NAME, LiveData, live_database
from tests.support.queue_api import QueueDesk

pytestmark = pytest.mark.browser

SOUNDS = "/static/sounds/"
COUNTER = "Ventanilla 12"
SPANISH_1234 = ["chime.wav", "voice/es/turno.ogg", "voice/es/letter-l.ogg", "voice/es/letter-i.ogg",
                "voice/es/letter-c.ogg", "voice/es/mil.ogg", "voice/es/doscientos.ogg", "voice/es/treinta.ogg",
                "voice/es/y.ogg", "voice/es/cuatro.ogg", "voice/es/pase-a-la-ventanilla.ogg", "voice/es/doce.ogg"]
ENGLISH_1234 = ["chime.wav", "voice/en/ticket.ogg", "voice/en/letter-l.ogg", "voice/en/letter-i.ogg",
                "voice/en/letter-c.ogg", "voice/en/one.ogg", "voice/en/thousand.ogg", "voice/en/two.ogg",
                "voice/en/hundred.ogg", "voice/en/thirty.ogg", "voice/en/four.ogg",
                "voice/en/please-go-to-counter.ogg", "voice/en/twelve.ogg"]


@pytest.fixture(scope="module")
def tv_browser(browser):
    """A second Chromium, started the way the README tells an unattended TV to start it (through
    the session's Playwright: one process may run only one)."""
    tv = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"])
    yield tv
    tv.close()


class Screen:
    """A call screen on the TV, with the sound files it asked for, in order."""

    def __init__(self, context, path, prepare=None):
        self.page = context.new_page()
        self.sounds, self.problems = [], []
        self.page.on("request", self.heard)
        self.page.on("console", lambda message: self.problems.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        if prepare:
            prepare(self.page)
        self.page.goto(path)
        self.root = self.page.locator("#display")
        expect(self.root).to_have_attribute("data-connection", "online")
        expect(self.root).to_have_attribute("data-audio", "idle")  # the silent clip played: sound allowed

    def heard(self, request):
        if SOUNDS in request.url:
            name = request.url.split(SOUNDS, 1)[1]
            if not self.sounds or self.sounds[-1] != name:  # media may ask for a file in two ranges
                self.sounds.append(name)

    def announced(self, count):
        """Wait until the screen has announced `count` calls and played them to the end."""
        expect(self.root).to_have_attribute("data-announced", str(count), timeout=10000)
        expect(self.root).to_have_attribute("data-audio", "idle", timeout=30000)

    def sounds_since(self, start):
        return self.sounds[start:]


@pytest.fixture(scope="module")
def line(live_server, tmp_path_factory):
    """Service LIC (an 80-character name) called at "Ventanilla 12", shown on a Spanish and an
    English screen."""
    data = LiveData(live_database(tmp_path_factory))
    desk = QueueDesk(live_server, staff="staff2")
    service = data.add_service("LIC", f"{SERVICE_NAME} 1")
    counter = data.add_counter(COUNTER, [service])
    data.add_screen("voz-es", "es", [service])
    data.add_screen("voice-en", "en", [service])
    first = desk.issue(service)  # opens today's number sequence
    desk.call_next(counter)
    try:
        yield {"data": data, "desk": desk, "service": service, "counter": counter, "first": first["ticket"]}
    finally:
        data.undo()


@pytest.fixture
def tv(tv_browser, live_server):
    context = tv_browser.new_context(base_url=live_server, locale="es-ES")
    context.set_default_timeout(5000)
    screens = []

    def open_screen(path, prepare=None):
        screens.append(Screen(context, path, prepare))
        return screens[-1]

    yield open_screen
    context.close()
    assert [problem for screen in screens for problem in screen.problems] == []


def call(line, number):
    """Issue LIC-<number> at the kiosk and call it to Ventanilla 12."""
    line["data"].next_number(line["service"], number)
    issued = line["desk"].issue(line["service"])["ticket"]
    called = line["desk"].call_next(line["counter"])["ticket"]
    assert called == issued == f"LIC-{number}"
    return called


def test_an_unattended_tv_starts_with_sound_and_no_button(tv, line):
    screen = tv("/screen/voz-es")
    assert screen.page.locator("#display-sound").is_hidden()
    assert screen.sounds == ["silence.ogg", "voice/manifest.json"] or \
        screen.sounds == ["voice/manifest.json", "silence.ogg"]  # the probe, and the words' list


def test_a_call_is_announced_with_the_recorded_words_in_each_language(tv, line):
    spanish, english = tv("/screen/voz-es"), tv("/screen/voice-en")
    start = len(spanish.sounds), len(english.sounds)
    called = call(line, 1234)
    for screen in (spanish, english):
        expect(screen.page.locator("#display-current [data-field=ticket]")).to_have_text(called)
        screen.announced(1)
    assert spanish.sounds_since(start[0]) == SPANISH_1234  # "Turno L I C mil doscientos treinta y cuatro, ..."
    assert english.sounds_since(start[1]) == ENGLISH_1234  # "Ticket L I C one thousand two hundred thirty four, ..."


def test_the_browser_voice_setting_falls_back_to_the_words_without_a_local_voice(tv, line):
    line["data"].set_setting("display_voice", "browser")
    try:
        screen = tv("/screen/voz-es")
        expect(screen.root).to_have_attribute("data-voice", "browser")
        local = screen.page.evaluate("() => speechSynthesis.getVoices().filter(v => v.localService).length")
        assert local == 0, "this test needs a browser without a local voice, as headless Chromium is"
        start = len(screen.sounds)
        call(line, 1334)
        screen.announced(1)
        spoken = screen.sounds_since(start)
        assert spoken[:2] == ["chime.wav", "voice/es/turno.ogg"]
        assert spoken[5:] == ["voice/es/mil.ogg", "voice/es/trescientos.ogg", "voice/es/treinta.ogg", "voice/es/y.ogg",
                              "voice/es/cuatro.ogg", "voice/es/pase-a-la-ventanilla.ogg", "voice/es/doce.ogg"]
    finally:
        line["data"].restore_setting("display_voice")


def test_after_a_lost_connection_the_latest_missed_call_is_announced_once(tv, line):
    servers, upgraded = [], []

    def through_a_closable_route(page):
        # As tests/e2e/test_display_browser.py does: the socket's WebSocket goes through a route
        # the test can close, once socket.io has upgraded to it.
        page.route_web_socket(re.compile(r"/socket\.io/"),
                              lambda websocket: servers.append(websocket.connect_to_server()))
        page.on("websocket", lambda websocket: websocket.on(
            "framesent", lambda payload: upgraded.append(payload) if payload == "5" else None))

    screen = tv("/screen/voz-es", through_a_closable_route)
    page = screen.page
    wait_in_page(page, lambda: upgraded and servers, message="the screen should have upgraded to a WebSocket")

    held = []
    page.route(re.compile(r"/socket\.io/"), lambda route: held.append(route))
    servers[-1].close()
    expect(screen.root).to_have_attribute("data-connection", "offline")
    announced = int(screen.root.get_attribute("data-announced") or 0)
    start = len(screen.sounds)

    call(line, 2345)  # "dos mil trescientos cuarenta y cinco": missed, and stale by the next
    missed = call(line, 2346)  # "... cuarenta y seis": the one to announce
    assert page.locator("#display-current [data-field=ticket]").inner_text() != missed

    page.unroute(re.compile(r"/socket\.io/"))
    for route in held:
        route.continue_()
    expect(page.locator("#display-current [data-field=ticket]")).to_have_text(missed, timeout=10000)
    screen.announced(announced + 1)
    spoken = screen.sounds_since(start)
    assert "voice/es/seis.ogg" in spoken and "voice/es/cinco.ogg" not in spoken, spoken
    assert spoken.count("chime.wav") <= 1 and spoken.count("voice/es/turno.ogg") <= 1, spoken
    # Connected again, with nothing new: no further announcement.
    page.reload()
    expect(screen.root).to_have_attribute("data-connection", "online")
    assert screen.root.get_attribute("data-announced") in (None, "0")


SAID = {  # what the words of a number are, read back from the clips' file names
    "es": {0: "cero", 16: "dieciseis", 21: "veintiuno", 30: "treinta", 31: "treinta y uno", 100: "cien",
           101: "ciento uno", 110: "ciento diez", 555: "quinientos cincuenta y cinco", 1000: "mil",
           1001: "mil uno", 1100: "mil cien", 2023: "dos mil veintitres",
           9999: "nueve mil novecientos noventa y nueve"},
    "en": {0: "zero", 16: "sixteen", 21: "twenty one", 30: "thirty", 100: "one hundred", 101: "one hundred one",
           110: "one hundred ten", 555: "five hundred fifty five", 1000: "one thousand",
           1100: "one thousand one hundred", 2023: "two thousand twenty three",
           9999: "nine thousand nine hundred ninety nine"},
}


def test_every_number_up_to_9999_has_its_words_in_both_languages(page):
    page.goto("/")
    manifest = page.request.get("/static/sounds/voice/manifest.json").json()
    for language, examples in SAID.items():
        clips = manifest["languages"][language]["clips"]
        keys = page.evaluate("language => Array.from({length: 10000}, (_, n) => DisplayVoice.numberKeys(language, n))",
                             language)
        assert sorted({key for words in keys for key in words} - set(clips)) == [], language
        for number, words in examples.items():
            said = " ".join(clips[key].split("/")[1].removesuffix(".ogg") for key in keys[number])
            assert said == words, (language, number)
