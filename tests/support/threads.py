"""Real threads at once, for the PostgreSQL tests of row locks and unique numbers."""
import threading

from extensions import db


def run_in_threads(app, count, work):
    """Start `count` threads at the same instant; each runs work(index) in its own session."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(index):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = work(index)
            except Exception as error:  # reported below; a thread must not die silently
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results
