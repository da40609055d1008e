"""Bell-like tones written as a WAV file, for the sounds the desk ships (tools/make_chime.py,
tools/make_alert.py). Standard library only, so the files can be rebuilt and checked anywhere;
the same arguments always write the same bytes."""
import math
import struct
import wave
from dataclasses import dataclass


@dataclass(frozen=True)
class Tones:
    notes: list  # (frequency Hz, start s)
    overtones: list  # (frequency multiple, relative amplitude)
    decay: float  # seconds for a note to fall to 1/e
    attack: float  # seconds of ramp in: avoids a click at each note's start
    peak: float  # loudest sample, as a fraction of full scale
    duration: float  # seconds
    rate: int  # samples per second

    def sample(self, t):
        value = 0.0
        for frequency, start in self.notes:
            local = t - start
            if local < 0:
                continue
            envelope = min(1.0, local / self.attack) * math.exp(-local / self.decay)
            value += envelope * sum(amp * math.sin(2 * math.pi * frequency * mult * local)
                                    for mult, amp in self.overtones)
        fade_out = min(1.0, (self.duration - t) / 0.05)  # the last 50 ms ramp to silence: no click at the end
        return value * fade_out

    def write(self, out):
        """Mono 16-bit PCM at `rate`, to the path `out`."""
        samples = [self.sample(i / self.rate) for i in range(int(self.rate * self.duration))]
        scale = self.peak * 32767 / max(abs(s) for s in samples)
        frames = b"".join(struct.pack("<h", round(s * scale)) for s in samples)
        out.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.rate)
            wav.writeframes(frames)
        print(f"{out}: {self.duration} s, {self.rate} Hz, {out.stat().st_size} bytes")
