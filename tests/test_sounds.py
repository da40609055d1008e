"""The shipped tones are what their scripts in tools/ write: a change to a script is a change to
the sound, never a stale file."""
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script, name", [("make_chime.py", "CHIME"), ("make_alert.py", "ALERT")])
def test_each_tone_is_rebuilt_byte_for_byte(monkeypatch, tmp_path, script, name):
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    module = runpy.run_path(str(ROOT / "tools" / script))  # not as __main__: it writes nothing
    rebuilt = tmp_path / "tone.wav"
    module[name].write(rebuilt)
    assert rebuilt.read_bytes() == module["OUT"].read_bytes()
