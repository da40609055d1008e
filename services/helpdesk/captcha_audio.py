"""The spoken CAPTCHA: the captcha package's AudioCaptcha, its sample loops done at C speed.

The package makes a recording the way this module does: three beeps, then each digit from a
recording picked at random (sped up or slowed down by up to 10-20%, louder or softer), with a
pause between digits, over a faint hiss and a murmur of other digits played backwards, softer,
then a last beep. It does every sample of that in a Python loop: 0.2-0.3 s of CPU, and about a
second more for the hiss (secrets.randbelow per sample), during which an eventlet server answers
nobody, call screens included. Here the same steps go through bytes.translate, bytes.join and
map over lookup tables, which do the loops in C (tests/test_captcha_access.py checks they give
the package's own results); the package still reads the voice folder and writes the WAV header.

Pauses between digits are 0.8-1.6 s instead of the package's 1-3 s: six digits fit in about ten
seconds, which a person can follow without losing the first digits.
"""
import operator
import secrets
from functools import lru_cache
from itertools import accumulate, repeat

from captcha.audio import BEEP, END_BEEP, SILENCE, WAVE_SAMPLE_RATE, AudioCaptcha

HISS_LEVEL = 4  # the package's: four sample values around silence (128)
PAUSE = (int(WAVE_SAMPLE_RATE * 0.8), int(WAVE_SAMPLE_RATE * 1.6))  # samples between two digits
TAIL = WAVE_SAMPLE_RATE // 2  # murmur after the last digit, before the last beep
SINGLE_BYTES = [bytes((value,)) for value in range(256)]


def mixed_sample(source, target):
    """The package's mix_wave for one pair of 8-bit samples (128 is silence), kept in a byte."""
    if source < 128 and target < 128:
        return int(source * target / 128)
    return max(0, min(255, int(2 * (source + target) - source * target / 128 - 256)))


MIX = bytes(mixed_sample(source, target) for source in range(256) for target in range(256))
HISS = bytes(value % HISS_LEVEL + 128 - HISS_LEVEL // 2 for value in range(256))


def hiss(length):
    """The package's create_noise(length, 4): random samples at four levels around silence."""
    return bytearray(secrets.token_bytes(length).translate(HISS))


@lru_cache(maxsize=64)  # the levels are hundredths from 0.2 to 1.2
def volume_table(level):
    """Each sample's value with its distance from silence times `level`, kept in a byte."""
    def scaled(value):
        if value > 128:
            return max(128, min(255, int((value - 128) * level + 128)))
        if value < 128:
            return max(0, min(128, int(128 - (128 - value) * level)))
        return value

    return bytes(scaled(value) for value in range(256))


def change_sound(body, level):
    """The package's change_sound."""
    return bytearray(bytes(body).translate(volume_table(level)))


def change_speed(body, speed):
    """The package's change_speed: each sample repeated over the output positions its place, times
    `speed`, covers (the same float additions as the package, so the same positions)."""
    if speed == 1:
        return body
    length = int(len(body) * speed)
    starts = list(map(int, accumulate(repeat(speed, len(body)), initial=0.0)))
    counts = map(operator.sub, starts[1:], starts[:-1])
    stretched = b"".join(map(operator.mul, map(SINGLE_BYTES.__getitem__, body), counts))[:length]
    return bytearray(stretched.ljust(length, b"\0"))


def mix_wave(source, target):
    """The package's mix_wave: the shorter of the two mixed into the start of the longer, which
    is changed in place and returned."""
    if len(source) > len(target):
        target, source = source, target
    keys = map(operator.add, map(operator.mul, source, repeat(256)), target)
    target[:len(source)] = bytes(map(MIX.__getitem__, keys))
    return target


class Recorder(AudioCaptcha):
    """AudioCaptcha with the functions above in place of the package's loops."""

    def _twist_pick(self, key):
        voice = secrets.choice(self._cache[key])
        voice = change_speed(voice, (secrets.randbelow(31) + 90) / 100)
        return change_sound(voice, (secrets.randbelow(41) + 80) / 100)

    def _noise_pick(self):
        voice = bytearray(reversed(secrets.choice(self._cache[secrets.choice(self.choices)])))
        voice = change_speed(voice, (secrets.randbelow(9) + 8) / 10)
        return change_sound(voice, (secrets.randbelow(5) + 2) / 10)

    def create_background_noise(self, length, chars):
        noise = hiss(length)
        position = 0
        while position < length:
            sound = self._noise_pick()
            end = position + len(sound) + 1
            noise[position:end] = mix_wave(sound, noise[position:end])
            position = end + secrets.randbelow(WAVE_SAMPLE_RATE // 10 + 1)
        return noise

    def create_wave_body(self, chars):
        voices = [self._twist_pick(char) for char in chars]
        pauses = [PAUSE[0] + secrets.randbelow(PAUSE[1] - PAUSE[0] + 1) for _ in chars]
        length = sum(map(len, voices)) + len(voices) + sum(pauses) + TAIL
        background = self.create_background_noise(length, chars)
        position = pauses[0]  # the first pause leads in, the others come between two digits
        for voice, pause in zip(voices, pauses[1:] + [TAIL], strict=True):
            end = position + len(voice) + 1
            background[position:end] = mix_wave(voice, background[position:end])
            position = end + pause
        return BEEP + SILENCE + BEEP + SILENCE + BEEP + background + END_BEEP
