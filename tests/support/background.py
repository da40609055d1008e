"""Socket.IO background tasks started during a test end with that test.

realtime/chat.py starts delayed tasks: `_confirm_connection` CONFIRM_AFTER_SECONDS after every
connect, and `_announce_after_grace` PRESENCE_OFFLINE_GRACE_SECONDS after someone's last socket
closed. Left alone they outlive their test and act in a later one: each test starts with empty
tables, so ids start again at 1 and an earlier test's "user 6 went offline" reaches a later
test's socket watching its own user 6; their queries also land in a later test's query count.

The `background_tasks` fixture (tests/conftest.py) puts a `BackgroundTasks` in place of
`socketio.start_background_task` and `socketio.sleep` for every test: during the test the tasks
wait as long as they were told to, so the delays keep their meaning; at its end `finish()` cuts
what is left of every delay short and waits for each task, so the late work happens in its own
test (with its own rows and sockets) and nothing is left running.
"""
import threading
import time


class BackgroundTasks:
    def __init__(self, start):
        self._start = start  # the real socketio.start_background_task
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self.started = []  # (target, thread) in the order they were started

    def start(self, target, *args, **kwargs):
        thread = self._start(target, *args, **kwargs)
        with self._lock:
            self.started.append((target, thread))
        return thread

    def sleep(self, seconds=0):
        """socketio.sleep: the whole delay during the test, the rest of it skipped by finish()."""
        self._wake.wait(seconds)

    def join(self, target=None, timeout=10):
        """Wait until every task started so far (only those running `target`, if given) has ended."""
        deadline = time.monotonic() + timeout
        with self._lock:
            tasks = [(started, thread) for started, thread in self.started if target in (None, started)]
        for started, thread in tasks:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                raise AssertionError(f"background task {started.__name__} still running after {timeout}s")

    def finish(self, timeout=10):
        """End every pending delay now and wait for all the tasks, and for any they start meanwhile."""
        self._wake.set()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                running = [(started, thread) for started, thread in self.started if thread.is_alive()]
            if not running:
                return
            for started, thread in running:
                thread.join(max(0.0, deadline - time.monotonic()))
                if thread.is_alive():
                    raise AssertionError(f"background task {started.__name__} outlived its test by {timeout}s")
