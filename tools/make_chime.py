"""Write static/sounds/chime.wav: the two-tone "ding-dong" the call screen plays on each call.

Standard library only, so the file can be rebuilt and checked anywhere (from the repository root):
    .venv/bin/python tools/make_chime.py
Two bell-like notes (E5 then C5), each a fundamental with two soft overtones and an exponential
decay; 16 kHz mono 16-bit keeps the file small (~40 KB) while the tones stay clean.
"""
import math
import struct
import wave
from pathlib import Path

RATE = 16000  # Hz: the highest overtone (~2 kHz) is far below the 8 kHz limit
DURATION = 1.3  # seconds
NOTES = [(659.25, 0.0), (523.25, 0.42)]  # (frequency Hz, start s): E5 "ding", C5 "dong"
OVERTONES = [(1.0, 1.0), (2.0, 0.25), (3.0, 0.08)]  # (frequency multiple, relative amplitude)
DECAY = 0.32  # seconds for a note to fall to 1/e
ATTACK = 0.006  # a short ramp in avoids a click at each note's start
PEAK = 0.6  # of full scale: loud enough on a TV, with headroom
OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "chime.wav"


def sample(t):
    value = 0.0
    for frequency, start in NOTES:
        local = t - start
        if local < 0:
            continue
        envelope = min(1.0, local / ATTACK) * math.exp(-local / DECAY)
        value += envelope * sum(amp * math.sin(2 * math.pi * frequency * mult * local) for mult, amp in OVERTONES)
    fade_out = min(1.0, (DURATION - t) / 0.05)  # the last 50 ms ramp to silence: no click at the end
    return value * fade_out


def main():
    samples = [sample(i / RATE) for i in range(int(RATE * DURATION))]
    scale = PEAK * 32767 / max(abs(s) for s in samples)
    frames = b"".join(struct.pack("<h", round(s * scale)) for s in samples)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    print(f"{OUT}: {DURATION} s, {RATE} Hz, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
