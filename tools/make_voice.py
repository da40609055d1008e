"""Write static/sounds/voice/: the recorded words the call screen strings together to announce a
call ("Turno L I C mil doscientos treinta y cuatro, pase a la ventanilla doce"), in Spanish and
English, and manifest.json, which tells the page which file says what.

Most TVs and Chromium on Linux have no local speech-synthesis voice, so the screen plays these
clips instead (static/js/display_voice.js builds the sequence). Every number 0-9999 is said from
a few words per language (0-29 / 0-19, the tens, the hundreds, "mil" / "thousand"), and every
prefix from the letters A-Z, so about 75 short clips per language cover every call.

Needs espeak-ng and ffmpeg (Debian: apt-get install espeak-ng ffmpeg). From the repository root:
    .venv/bin/python tools/make_voice.py
Each word is spoken by espeak-ng, trimmed of its leading and trailing silence and encoded as Ogg
Opus, mono, 24 kbit/s (~2-4 KB a word). Encoded bit-exact, so running it again with the same
espeak-ng and ffmpeg rewrites identical files.
"""
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "voice"
SILENCE = OUT.parent / "silence.ogg"  # played once on load: does the browser let the page make sound?
SPEED = 140  # words per minute; espeak-ng's 175 is hurried for a waiting room
BITRATE = "24k"  # Opus at 24 kbit/s is clear for one voice
TRIM = -45  # dB: quieter than this at either end of a clip is silence, cut so words follow closely
COMMA = 0.3  # seconds of silence before the phrase after the number: the comma of the sentence
SIZE_LIMIT = 2_000_000  # bytes for every clip of every language: a screen loads them over the LAN

# Which number each clip says; the keys are what display_voice.js asks for.
SPANISH_NUMBERS = dict(enumerate([
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce",
    "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno",
    "veintidós", "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho",
    "veintinueve"]))
SPANISH_NUMBERS.update({30: "treinta", 40: "cuarenta", 50: "cincuenta", 60: "sesenta", 70: "setenta",
                        80: "ochenta", 90: "noventa", 100: "cien", 200: "doscientos", 300: "trescientos",
                        400: "cuatrocientos", 500: "quinientos", 600: "seiscientos", 700: "setecientos",
                        800: "ochocientos", 900: "novecientos", 1000: "mil"})
ENGLISH_NUMBERS = dict(enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]))
ENGLISH_NUMBERS.update({20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
                        80: "eighty", 90: "ninety"})

# Spanish letter names written out, so that B and V, which sound alike, are told apart by the names
# that cannot be mistaken (RAE): "be", "uve", "uve doble"; and Y is "ye". English letters are read
# by espeak-ng itself as characters (SSML say-as): a lone "A" written as text would be the article.
SPANISH_LETTERS = ["a", "be", "ce", "de", "e", "efe", "ge", "hache", "i", "jota", "ka", "ele", "eme", "ene", "o",
                   "pe", "cu", "erre", "ese", "te", "u", "uve", "uve doble", "equis", "ye", "zeta"]
SPELLED = None  # letters read by espeak-ng as characters

LANGUAGES = {
    "es": {
        "espeak": "es-419",  # Latin American Spanish, as the default organisation (Mexico City) speaks it
        "words": {
            "intro": "turno",
            "to_counter": ("pase a la ventanilla", COMMA),
            "100+": "ciento",  # 101-199 ("ciento uno"); exactly 100 is "cien"
            "and": "y",  # between the tens and the units: treinta y cuatro
            **{str(number): text for number, text in SPANISH_NUMBERS.items()},
        },
        "letters": SPANISH_LETTERS,
    },
    "en": {
        "espeak": "en-us",
        "words": {
            "intro": "ticket",
            "to_counter": ("please go to counter", COMMA),
            "hundred": "hundred",
            "thousand": "thousand",
            **{str(number): text for number, text in ENGLISH_NUMBERS.items()},
        },
        "letters": SPELLED,
    },
}


def file_name(text):
    """"veintitrés" -> "veintitres", "pase a la ventanilla" -> "pase-a-la-ventanilla": ASCII,
    readable in a URL and in the tests' request logs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


def clips(language):
    """(key, text for espeak-ng, seconds of silence before it, file stem) for every clip of a
    language. The text is SSML, so letters can be read as characters."""
    spec = LANGUAGES[language]
    for key, word in spec["words"].items():
        text, pause = word if isinstance(word, tuple) else (word, 0)
        yield key, f"<speak>{text}</speak>", pause, file_name(text)
    for index in range(26):
        letter = chr(ord("A") + index)
        if spec["letters"] is SPELLED:
            text = f'<speak><say-as interpret-as="characters">{letter}</say-as></speak>'
        else:
            text = f"<speak>{spec['letters'][index]}</speak>"
        yield f"letter_{letter}", text, 0, f"letter-{letter.lower()}"


def run(command):
    subprocess.run(command, check=True, capture_output=True)


def encode(source, target, pause=0.0):
    """Trim silence at both ends (a filter reversed trims the end), keep a short tail so the word is
    not cut, optionally put a pause before it, and encode as bit-exact Ogg Opus."""
    trim = f"silenceremove=start_periods=1:start_threshold={TRIM}dB"
    filters = [trim, "areverse", trim, "areverse", "apad=pad_dur=0.04"]
    if pause:
        filters.append(f"adelay={int(pause * 1000)}")
    run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(source), "-af", ",".join(filters),
         "-ac", "1", "-c:a", "libopus", "-b:a", BITRATE, "-application", "voip", "-map_metadata", "-1",
         "-fflags", "+bitexact", "-flags:a", "+bitexact", str(target)])


def write_silence():
    run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono",
         "-t", "0.1", "-c:a", "libopus", "-b:a", "8k", "-map_metadata", "-1", "-fflags", "+bitexact",
         "-flags:a", "+bitexact", str(SILENCE)])


def write_language(language, scratch):
    folder = OUT / language
    if folder.exists():
        shutil.rmtree(folder)  # a word renamed or dropped must not leave its old file behind
    folder.mkdir(parents=True)
    voice, entries = LANGUAGES[language]["espeak"], {}
    for key, text, pause, stem in clips(language):
        spoken = scratch / f"{language}-{stem}.wav"
        run(["espeak-ng", "-v", voice, "-m", "-s", str(SPEED), "-z", "-w", str(spoken), text])
        encode(spoken, folder / f"{stem}.ogg", pause)
        entries[key] = f"{language}/{stem}.ogg"
    return {"espeak_voice": voice, "clips": entries}


def main():
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"needs {' and '.join(missing)}: apt-get install espeak-ng ffmpeg")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        languages = {language: write_language(language, Path(scratch)) for language in LANGUAGES}
    write_silence()
    manifest = {
        "comment": "Written by tools/make_voice.py; paths are relative to this file.",
        "type": 'audio/ogg; codecs="opus"',
        "languages": languages,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file()) + SILENCE.stat().st_size
    for language, spec in languages.items():
        size = sum((OUT / path).stat().st_size for path in spec["clips"].values())
        print(f"{language}: {len(spec['clips'])} clips, {size / 1000:.0f} KB")
    print(f"{OUT}: {total / 1000:.0f} KB in all")
    if total > SIZE_LIMIT:
        sys.exit(f"the clips take {total} bytes, more than {SIZE_LIMIT}: lower BITRATE")


if __name__ == "__main__":
    main()
