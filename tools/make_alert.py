"""Write static/sounds/alert.wav: the short rising two-tone a person's status page (/t/<token>)
plays on their phone when two people are ahead of them and again when they are called.

Standard library only, so the file can be rebuilt and checked anywhere (from the repository root):
    .venv/bin/python tools/make_alert.py
Unlike the call screen's falling "ding-dong" (tools/make_chime.py), it rises (G5 then C6), which
reads as "your turn is coming" rather than "someone is called", and it sits higher, where a
phone's small speaker is loud. Each note is a fundamental with one soft overtone and a quick
decay; 16 kHz mono 16-bit keeps the file small (~25 KB).
"""

from pathlib import Path

from tones import Tones

OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "alert.wav"
ALERT = Tones(
    notes=[(783.99, 0.0), (1046.50, 0.17)],  # (frequency Hz, start s): G5, then C6
    overtones=[(1.0, 1.0), (2.0, 0.2)],  # (frequency multiple, relative amplitude)
    decay=0.16,  # seconds for a note to fall to 1/e
    attack=0.005,  # a short ramp in avoids a click at each note's start
    peak=0.75,  # of full scale: a phone's speaker is small; leave a little headroom
    duration=0.8,  # seconds: short enough to be polite in a waiting room
    rate=16000,  # Hz: the overtone (~2.1 kHz) is far below the 8 kHz limit
)


if __name__ == "__main__":
    ALERT.write(OUT)
