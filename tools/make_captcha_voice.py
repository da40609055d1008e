"""Write services/helpdesk/captcha_voice/: the digits 0-9 spoken in Spanish and English, from
which the /soporte CAPTCHA builds its audio version (services/helpdesk/captcha.py, through the
captcha package's AudioCaptcha).

AudioCaptcha reads a folder per character holding one or more recordings of it, and picks one at
random for each digit it says; three voices per digit (a man's, a woman's, a deeper man's) make
every recording of a challenge a little different, on top of the speed, volume and background
babble AudioCaptcha varies itself. It takes 8-bit, 8 kHz, mono WAV files.

Needs espeak-ng and ffmpeg (Debian: apt-get install espeak-ng ffmpeg). From the repository root:
    .venv/bin/python tools/make_captcha_voice.py
Each digit is spoken by espeak-ng, trimmed of its silence, raised to full volume and written
bit-exact, so running it again with the same espeak-ng and ffmpeg rewrites identical files.
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "services" / "helpdesk" / "captcha_voice"
SPEED = 130  # words per minute: slower than espeak-ng's 175, each digit is heard on its own
TRIM = -40  # dB: quieter than this at either end is silence
VARIANTS = {"m": "", "f": "+f3", "low": "+m3"}  # file stem → espeak-ng voice variant
LANGUAGES = {
    # Latin American Spanish, as the call screen's voice (tools/make_voice.py).
    "es": ("es-419", ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]),
    "en": ("en-us", ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]),
}


def run(command):
    return subprocess.run(command, check=True, capture_output=True, text=True)


def peak_db(source):
    """The loudest sample of `source` in dB below full scale (ffmpeg's volumedetect)."""
    report = run(["ffmpeg", "-nostdin", "-i", str(source), "-af", "volumedetect", "-f", "null", "-"]).stderr
    return float(re.search(r"max_volume: (-?[\d.]+) dB", report).group(1))


def encode(source, target):
    """Trim both ends (a filter reversed trims the end), raise the peak to -1 dB, and write the
    8-bit 8 kHz mono PCM that AudioCaptcha mixes."""
    trim = f"silenceremove=start_periods=1:start_threshold={TRIM}dB"
    filters = [trim, "areverse", trim, "areverse", f"volume={-1 - peak_db(source):.1f}dB"]
    run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(source), "-af", ",".join(filters),
         "-ac", "1", "-ar", "8000", "-c:a", "pcm_u8", "-map_metadata", "-1", "-fflags", "+bitexact",
         "-flags:a", "+bitexact", str(target)])


def main():
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"needs {' and '.join(missing)}: apt-get install espeak-ng ffmpeg")
    if OUT.exists():
        shutil.rmtree(OUT)  # a voice dropped must not leave its old files behind
    with tempfile.TemporaryDirectory() as scratch:
        for language, (voice, words) in LANGUAGES.items():
            for digit, word in enumerate(words):
                folder = OUT / language / str(digit)
                folder.mkdir(parents=True)
                for stem, variant in VARIANTS.items():
                    spoken = Path(scratch) / f"{language}-{digit}-{stem}.wav"
                    run(["espeak-ng", "-v", voice + variant, "-s", str(SPEED), "-w", str(spoken), word])
                    encode(spoken, folder / f"{stem}.wav")
    for language in LANGUAGES:
        size = sum(path.stat().st_size for path in (OUT / language).rglob("*.wav"))
        print(f"{language}: {len(VARIANTS) * 10} recordings, {size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
