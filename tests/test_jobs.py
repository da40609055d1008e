"""Scheduled jobs: auto-closing with a moved clock, each scheduled run happening once however
many processes try, `flask jobs`, and errors recorded instead of raised."""
import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db, socketio
from models import AuditLog, JobRun, OutboxMessage, Ticket, TicketStatus, User
from services import jobs
from services.helpdesk import tickets
from services.settings import save_settings
from services.timeutil import utcnow

HOURS = timedelta(hours=1)


@pytest.fixture
def counted_jobs(monkeypatch):
    """The real schedule with functions that only count their calls (and fail when told to)."""
    calls, failing = Counter(), set()

    def counting(name):
        def run(now):
            calls[name] += 1
            if name in failing:
                raise RuntimeError(f"{name} broke")
            return "ok"
        return run

    monkeypatch.setattr(jobs, "JOBS", {name: replace(job, function=counting(name)) for name, job in jobs.JOBS.items()})
    return calls, failing


def job_row(name):
    return db.session.get(JobRun, name, populate_existing=True)


def file_and_answer(helpdesk, at):
    requester, agent = db.session.get(User, helpdesk["user"]), db.session.get(User, helpdesk["agent"])
    ticket = tickets.file_ticket(title="Sin red", description="No conecta.", category_id=helpdesk["network"],
                                 requester=requester, now=at)
    tickets.add_comment(ticket, "Reinicie el router, por favor.", agent, now=at)
    return ticket


# --- auto-close ----------------------------------------------------------------------------------


def test_a_ticket_closes_itself_72_hours_after_an_unanswered_staff_reply(app, helpdesk, smtp):
    with app.app_context():
        t0 = utcnow()
        ticket = file_and_answer(helpdesk, t0)
        tickets.add_comment(ticket, "Una nota", db.session.get(User, helpdesk["agent"]), internal=True,
                            now=t0 + 2 * HOURS)  # an internal note does not restart the clock

        jobs.run_due_jobs(t0 + 71 * HOURS)
        assert job_row("close_stale_tickets").last_result == "closed 0 ticket(s)"
        assert db.session.get(Ticket, ticket.id, populate_existing=True).status != TicketStatus.CLOSED

        results = jobs.run_due_jobs(t0 + 73 * HOURS)
        assert results["close_stale_tickets"] == "closed 1 ticket(s)"
        ticket = db.session.get(Ticket, ticket.id, populate_existing=True)
        assert ticket.status == TicketStatus.CLOSED and ticket.closed_at == t0 + 73 * HOURS
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "ticket.auto_closed")).entity_id == ticket.id

        jobs.run_due_jobs(t0 + 73 * HOURS + timedelta(minutes=1))  # the next pass sends the notice
        closing = [message for recipients, message in smtp.inbox.messages
                   if recipients == ["user1@example.org"] and "cerrado" in message["Subject"]]
        assert len(closing) == 1 and ticket.number in closing[0]["Subject"]
        assert "se cerró automáticamente" in closing[0].get_body(("plain",)).get_content()
        assert "72 horas" in closing[0].get_body(("plain",)).get_content()

        assert jobs.run_job(jobs.JOBS["close_stale_tickets"], t0 + 200 * HOURS) == "closed 0 ticket(s)"
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.subject.contains("cerrado"))) == 1


def test_the_requesters_answer_stops_the_clock_and_the_next_staff_reply_restarts_it(app, helpdesk):
    with app.app_context():
        t0 = utcnow()
        ticket = file_and_answer(helpdesk, t0)
        tickets.add_comment(ticket, "Ya lo reinicié y nada.", db.session.get(User, helpdesk["user"]),
                            now=t0 + 10 * HOURS)
        close = jobs.JOBS["close_stale_tickets"]
        assert jobs.run_job(close, t0 + 100 * HOURS) == "closed 0 ticket(s)"

        tickets.add_comment(ticket, "Vamos a revisar el cable.", db.session.get(User, helpdesk["agent"]),
                            now=t0 + 20 * HOURS)
        assert jobs.run_job(close, t0 + 91 * HOURS) == "closed 0 ticket(s)"
        assert jobs.run_job(close, t0 + 93 * HOURS) == "closed 1 ticket(s)"
        assert db.session.get(Ticket, ticket.id, populate_existing=True).is_closed


def test_the_auto_close_delay_is_a_setting(app, helpdesk):
    with app.app_context():
        save_settings({"auto_close_hours": 24}, None)
        t0 = utcnow()
        file_and_answer(helpdesk, t0)
        close = jobs.JOBS["close_stale_tickets"]
        assert jobs.run_job(close, t0 + 23 * HOURS) == "closed 0 ticket(s)"
        assert jobs.run_job(close, t0 + 25 * HOURS) == "closed 1 ticket(s)"
        notice = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert "24 horas" in notice.text_body


# --- one run per schedule ----------------------------------------------------------------------


def test_a_scheduled_run_happens_once_and_the_next_comes_after_its_interval(app, counted_jobs):
    calls, _ = counted_jobs
    with app.app_context():
        now = utcnow()
        assert set(jobs.run_due_jobs(now)) == set(jobs.JOBS)
        assert jobs.run_due_jobs(now) == {}
        assert calls == dict.fromkeys(jobs.JOBS, 1)

        assert set(jobs.run_due_jobs(now + timedelta(seconds=10))) == {"send_mail"}
        assert set(jobs.run_due_jobs(now + timedelta(minutes=10))) == {"send_mail", "sla_alerts", "close_stale_tickets"}
        assert set(jobs.run_due_jobs(now + HOURS)) == set(jobs.JOBS)
        row = job_row("close_queue_day")
        assert row.started_at == now + HOURS and row.next_run_at == now + 2 * HOURS
        assert row.finished_at >= row.started_at and row.last_result == "ok"


def test_a_failing_job_is_recorded_and_the_others_still_run(app, counted_jobs):
    calls, failing = counted_jobs
    failing.add("close_stale_tickets")
    with app.app_context():
        now = utcnow()
        results = jobs.run_due_jobs(now)
        assert results["close_stale_tickets"] == "error: RuntimeError: close_stale_tickets broke"
        assert job_row("close_stale_tickets").last_result == "error: RuntimeError: close_stale_tickets broke"
        assert all(results[name] == "ok" for name in jobs.JOBS if name != "close_stale_tickets")
        # A failed run waits for its next turn like any other: no tight retry loop.
        assert job_row("close_stale_tickets").next_run_at == now + timedelta(minutes=10)


@pytest.mark.postgres
def test_processes_racing_for_a_run_leave_it_to_exactly_one(pg_clean, counted_jobs):
    app, (calls, _) = pg_clean, counted_jobs
    workers, rounds = 4, 15
    with app.app_context():
        start = utcnow()
    for turn in range(rounds):
        now = start + turn * HOURS  # every job is due at each turn
        barrier, errors = threading.Barrier(workers), []

        def worker(now=now, barrier=barrier, errors=errors):  # this turn's, bound now
            try:
                with app.app_context():
                    barrier.wait()
                    jobs.run_due_jobs(now)
            except Exception as error:  # reported below; an assert in a thread would go unseen
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert calls == dict.fromkeys(jobs.JOBS, turn + 1), f"turn {turn}: {calls}"


# --- the command line and the server loop -----------------------------------------------------


def test_flask_jobs_run_and_list(app, helpdesk):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run"])
    assert first.exit_code == 0, first.output
    assert "send_mail: sent 0, failed 0" in first.output and "close_stale_tickets: closed 0 ticket(s)" in first.output
    assert "remove_old_attachment_files: removed 0 file(s)" in first.output
    assert "close_queue_day: closed 0 queue ticket(s)" in first.output

    assert "No job is due." in runner.invoke(args=["jobs", "run"]).output

    with app.app_context():
        t0 = utcnow() - 80 * HOURS
        file_and_answer(helpdesk, t0)
    forced = runner.invoke(args=["jobs", "run", "close_stale_tickets"])
    assert forced.exit_code == 0 and forced.output.strip() == "close_stale_tickets: closed 1 ticket(s)"
    everything = runner.invoke(args=["jobs", "run", "--all"])
    assert everything.exit_code == 0 and len(everything.output.strip().splitlines()) == len(jobs.JOBS)
    assert "close_stale_tickets: closed 0 ticket(s)" in everything.output

    listing = runner.invoke(args=["jobs", "list"])
    assert listing.exit_code == 0
    for name in jobs.JOBS:
        assert name in listing.output
    assert "every 600 s" in listing.output and "closed 0 ticket(s)" in listing.output

    assert runner.invoke(args=["jobs", "run", "no_such_job"]).exit_code == 2


def test_flask_jobs_run_fails_when_a_job_fails(app, counted_jobs):
    _, failing = counted_jobs
    failing.add("send_mail")
    result = app.test_cli_runner().invoke(args=["jobs", "run", "send_mail"])
    assert result.exit_code == 1 and "send_mail: error: RuntimeError: send_mail broke" in result.output
    with app.app_context():
        assert job_row("send_mail").last_result.startswith("error: RuntimeError")


def test_the_scheduler_stays_off_under_tests_and_when_disabled(app, monkeypatch):
    started = []
    monkeypatch.setattr(socketio, "start_background_task", lambda target, *args: started.append((target, args)))
    assert jobs.start_scheduler(app) is None
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "JOBS_ENABLED", False)
    assert jobs.start_scheduler(app) is None
    assert started == []


def test_the_scheduler_runs_due_jobs_each_pass_and_survives_errors(app, monkeypatch, counted_jobs):
    calls, failing = counted_jobs
    failing.add("send_mail")
    started, passes = [], []

    class Stop(Exception):
        pass

    def sleep(seconds):
        passes.append(seconds)
        if len(passes) == 2:
            raise Stop

    monkeypatch.setattr(socketio, "start_background_task", lambda target, *args: started.append((target, args)))
    monkeypatch.setattr(socketio, "sleep", sleep)
    monkeypatch.setitem(app.config, "TESTING", False)
    jobs.start_scheduler(app)
    (target, args), = started
    with pytest.raises(Stop):
        target(*args)
    assert passes == [jobs.TICK_SECONDS, jobs.TICK_SECONDS]
    assert calls == dict.fromkeys(jobs.JOBS, 1)  # the second pass came before any interval ended
    with app.app_context():
        assert job_row("send_mail").last_result.startswith("error:")
