"""Write static/sounds/chime.wav: the two-tone "ding-dong" the call screen plays on each call.

Standard library only, so the file can be rebuilt and checked anywhere (from the repository root):
    .venv/bin/python tools/make_chime.py
Two bell-like notes (E5 then C5), each a fundamental with two soft overtones and an exponential
decay; 16 kHz mono 16-bit keeps the file small (~40 KB) while the tones stay clean.
"""

from pathlib import Path

from tones import Tones

OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "chime.wav"
CHIME = Tones(
    notes=[(659.25, 0.0), (523.25, 0.42)],  # (frequency Hz, start s): E5 "ding", C5 "dong"
    overtones=[(1.0, 1.0), (2.0, 0.25), (3.0, 0.08)],  # (frequency multiple, relative amplitude)
    decay=0.32,  # seconds for a note to fall to 1/e
    attack=0.006,  # a short ramp in avoids a click at each note's start
    peak=0.6,  # of full scale: loud enough on a TV, with headroom
    duration=1.3,  # seconds
    rate=16000,  # Hz: the highest overtone (~2 kHz) is far below the 8 kHz limit
)


if __name__ == "__main__":
    CHIME.write(OUT)
