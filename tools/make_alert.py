"""Write static/sounds/alert.wav: the short rising two-tone a person's status page (/t/<token>)
plays on their phone when two people are ahead of them and again when they are called.

Standard library only, so the file can be rebuilt and checked anywhere (from the repository root):
    .venv/bin/python tools/make_alert.py
Unlike the call screen's falling "ding-dong" (tools/make_chime.py), it rises (G5 then C6), which
reads as "your turn is coming" rather than "someone is called", and it sits higher, where a
phone's small speaker is loud. Each note is a fundamental with one soft overtone and a quick
decay; 16 kHz mono 16-bit keeps the file small (~25 KB).
"""
import math
import struct
import wave
from pathlib import Path

RATE = 16000  # Hz: the overtone (~2.1 kHz) is far below the 8 kHz limit
DURATION = 0.8  # seconds: short enough to be polite in a waiting room
NOTES = [(783.99, 0.0), (1046.50, 0.17)]  # (frequency Hz, start s): G5, then C6
OVERTONES = [(1.0, 1.0), (2.0, 0.2)]  # (frequency multiple, relative amplitude)
DECAY = 0.16  # seconds for a note to fall to 1/e
ATTACK = 0.005  # a short ramp in avoids a click at each note's start
PEAK = 0.75  # of full scale: a phone's speaker is small; leave a little headroom
OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "alert.wav"


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
