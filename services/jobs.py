"""Scheduled jobs: sending mail, SLA alerts, closing stale tickets, removing old attachment files,
settling past queue days.

The serving process runs them in the background (`start_scheduler`), and `flask jobs run` runs
them from cron. Several processes may do both at once: a run is claimed with a conditional
UPDATE on its `job_runs` row, so each scheduled run happens in one process only. Every job is
also safe to run twice, which covers `flask jobs run NAME` forcing one.
"""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

import email_manager
from extensions import db, socketio, upsert_into
from models import JobRun
from services.helpdesk import attachments, tickets
from services.messaging import sla_alerts
from services.queue import line
from services.timeutil import utcnow

log = logging.getLogger(__name__)

# How often the background loop looks for due jobs; the shortest interval below is 10 s.
TICK_SECONDS = 5
ERROR_PREFIX = "error: "


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    function: Callable  # function(now) -> a short summary for last_result


def send_mail(now):
    return str(email_manager.send_due(now))


def send_sla_alerts(now):
    warned, escalated = sla_alerts.send_sla_alerts(now)
    return f"warned {warned}, escalated {escalated} ticket(s)"


def close_stale_tickets(now):
    return f"closed {tickets.close_stale_tickets(now)} ticket(s)"


def remove_old_attachment_files(now):
    return f"removed {attachments.remove_expired_files(now)} file(s)"


def close_queue_day(now):
    return f"closed {line.close_past_days(now)} queue ticket(s)"


JOBS = {job.name: job for job in (
    Job("send_mail", timedelta(seconds=10), send_mail),
    Job("sla_alerts", timedelta(minutes=1), send_sla_alerts),
    Job("close_stale_tickets", timedelta(minutes=10), close_stale_tickets),
    Job("remove_old_attachment_files", timedelta(hours=1), remove_old_attachment_files),
    Job("close_queue_day", timedelta(hours=1), close_queue_day),
)}


def claim(job, now):
    """True when this process may run `job` now: its row is due and our UPDATE moved it on
    first. A job never seen before is due at once."""
    table = JobRun.__table__
    db.session.execute(upsert_into(table).values(name=job.name, next_run_at=now)
                       .on_conflict_do_nothing(index_elements=["name"]))
    claimed = db.session.execute(
        update(table).where(table.c.name == job.name, table.c.next_run_at <= now)
        .values(next_run_at=now + job.interval, started_at=now)
    ).rowcount == 1
    db.session.commit()
    return claimed


def run_job(job, now=None, claimed=False):
    """Run `job` and record how it went. Unless `claimed`, the run is recorded as forced (the
    schedule moves on from now). An error is logged and recorded, never raised."""
    now = now or utcnow()
    if not claimed:
        _record(job.name, next_run_at=now + job.interval, started_at=now)
    started = time.monotonic()
    try:
        result = job.function(now)
    except Exception as error:
        db.session.rollback()
        log.exception("job %s failed", job.name)
        result = f"{ERROR_PREFIX}{error.__class__.__name__}: {error}"
    # The run's own clock: `now` may be a moved clock (tests), the duration is real.
    _record(job.name, finished_at=now + timedelta(seconds=time.monotonic() - started), last_result=result[:2000])
    return result


def _record(name, **values):
    db.session.execute(upsert_into(JobRun.__table__).values(name=name, **values)
                       .on_conflict_do_update(index_elements=["name"], set_=values))
    db.session.commit()


def run_due_jobs(now=None):
    """One pass: run every job that is due and that this process claims. Returns {name: result}."""
    now = now or utcnow()
    results = {}
    for job in JOBS.values():
        try:
            if claim(job, now):
                results[job.name] = run_job(job, now, claimed=True)
        except Exception:  # the database itself failed: try again next pass
            db.session.rollback()
            log.exception("job %s could not be claimed or recorded", job.name)
    return results


def job_runs():
    """Each job with its row (None before its first run), for `flask jobs list`."""
    rows = {row.name: row for row in db.session.scalars(select(JobRun))}
    return [(job, rows.get(job.name)) for job in JOBS.values()]


def start_scheduler(app):
    """Run due jobs in the background of the serving process. Off under tests and when
    JOBS_ENABLED is false (cron runs `flask jobs run` then). Uses Socket.IO's background task
    and sleep, so it works in whatever async mode the server runs."""
    if app.testing or not app.config["JOBS_ENABLED"]:
        return None
    return socketio.start_background_task(_loop, app)


def _loop(app):
    while True:
        with app.app_context():  # a fresh context per pass: fresh settings, a fresh session
            try:
                run_due_jobs()
            except Exception:
                log.exception("job pass failed")
        socketio.sleep(TICK_SECONDS)
