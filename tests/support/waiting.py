"""Waiting for a condition instead of sleeping a fixed time."""
import time


def wait_until(condition, timeout=5, interval=0.02, message=None, pause=time.sleep):
    """Call `condition` until it returns something truthy, and return that; AssertionError after
    `timeout` seconds. `pause(seconds)` waits between calls: Playwright pages pass their own
    `wait_for_timeout` (in ms, see tests/support/browser.py) so their events keep arriving."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"{getattr(condition, '__name__', 'condition')} not met within {timeout}s")
        pause(interval)
