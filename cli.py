"""Command-line tasks: `flask seed [--demo]`, `flask reset-admin`, `flask check`,
`flask close-queue-day`, `flask jobs run [NAME]`, `flask jobs list`."""
import secrets

import click
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import Migrate
from sqlalchemy import select, text

from email_manager import mail_settings, probe_smtp
from extensions import db
from models import Role, User, include_in_schema_compare
from services import audit, jobs, seeding
from services.accounts.users import snapshot
from services.queue import line as queue_line
from services.settings import public_url


def init_app(app):
    app.cli.add_command(seed_command)
    app.cli.add_command(reset_admin_command)
    app.cli.add_command(check_command)
    app.cli.add_command(close_day_command)
    app.cli.add_command(jobs_group)


@click.command("seed")
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create demo accounts and catalogues.")
def seed_command(demo):
    """Create the first admin (and with --demo the demo data). Safe to run again."""
    config = current_app.config
    report = seeding.seed(
        config["ADMIN_USERNAME"], config["ADMIN_PASSWORD"], demo=demo, demo_password=config["DEMO_PASSWORD"]
    )
    for created in report.created:
        click.echo(f"created {created}")
    if not report.created:
        click.echo("Nothing to seed: the data is already there.")
    if report.admin_password:
        click.secho(
            f"Admin '{config['ADMIN_USERNAME']}' password: {report.admin_password}  "
            "(shown once; it must be changed at first login)", fg="yellow")
    if demo:
        host, port = config["HOST"], config["PORT"]
        click.echo(f"\nDemo logins at http://{host}:{port}/login (password: {config['DEMO_PASSWORD']})")
        for username, role in seeding.demo_logins():
            click.echo(f"  {username:<12} {role}")


@click.command("reset-admin")
@with_appcontext
@click.option("--username", default=None, help="Admin account to reset (default ADMIN_USERNAME).")
def reset_admin_command(username):
    """Give the admin account a new password, reactivate it and make it admin again."""
    username = (username or current_app.config["ADMIN_USERNAME"]).lower()
    password = current_app.config["ADMIN_PASSWORD"] or secrets.token_urlsafe(12)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name="Administrador")
        db.session.add(user)
    before = snapshot(user) if user.id else None
    user.role, user.active, user.must_change_password = Role.ADMIN, True, True
    user.set_password(password)
    db.session.flush()
    audit.record(None, "user.admin_reset", "user", user.id, before=before, after=snapshot(user))
    db.session.commit()
    click.echo(f"Admin '{username}' password: {password}  (it must be changed at next login)")


@click.command("close-queue-day")
@with_appcontext
def close_day_command():
    """Settle queue tickets left open on earlier days (run it each night, e.g. from cron)."""
    click.echo(f"Closed {queue_line.close_past_days()} queue ticket(s) left open on earlier days.")


jobs_group = AppGroup("jobs", help="Scheduled jobs: mail, auto-close, file retention, queue days.")


@jobs_group.command("run")
@click.argument("name", required=False, type=click.Choice(list(jobs.JOBS)))
@click.option("--all", "run_all", is_flag=True, help="Run every job now, due or not.")
def jobs_run_command(name, run_all):
    """Run the jobs that are due (for cron, e.g. every minute), or NAME now whatever its schedule."""
    if name or run_all:
        chosen = [jobs.JOBS[name]] if name else list(jobs.JOBS.values())
        results = {job.name: jobs.run_job(job) for job in chosen}
    else:
        results = jobs.run_due_jobs()
    for job_name, result in results.items():
        click.echo(f"{job_name}: {result}")
    if not results:
        click.echo("No job is due.")
    if any(result.startswith(jobs.ERROR_PREFIX) for result in results.values()):
        raise SystemExit(1)


@jobs_group.command("list")
def jobs_list_command():
    """Show each job's interval, last run, result and next run."""
    def when(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"

    for job, row in jobs.job_runs():
        click.echo(f"{job.name}  (every {int(job.interval.total_seconds())} s)")
        click.echo(f"    last run  {when(row and row.started_at)}  ->  {(row and row.last_result) or '-'}")
        click.echo(f"    next run  {when(row.next_run_at) if row else 'now (never run)'}")


@click.command("check")
@with_appcontext
def check_command():
    """Check the installation: database, schema, mail settings, secret key, demo passwords."""
    results = [check_database(), check_schema(), check_mail(), check_public_url(), check_secret_key(),
               check_demo_passwords()]
    for status, name, detail in results:
        colour = {"ok": "green", "warn": "yellow", "fail": "red"}[status]
        click.echo(f"[{click.style(status.upper(), fg=colour):>4}] {name}: {detail}")
    if any(status == "fail" for status, _, _ in results):
        raise SystemExit(1)


def check_database():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means unreachable
        db.session.rollback()
        return "fail", "database", f"cannot reach {db.engine.url.render_as_string(hide_password=True)}: {error}"
    return "ok", "database", db.engine.url.render_as_string(hide_password=True)


def check_schema():
    migrate: Migrate = current_app.extensions["migrate"].migrate
    script = ScriptDirectory(migrate.directory)
    heads = set(script.get_heads())
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True,
                                                                   "include_object": include_in_schema_compare})
            current = set(context.get_current_heads())
            diff = compare_metadata(context, db.metadata)
    except Exception as error:
        return "fail", "schema", f"cannot inspect: {error}"
    if current != heads:
        return ("fail", "schema",
                f"database at {sorted(current) or 'nothing'}, migrations at {sorted(heads)}: run `flask db upgrade`")
    if diff:
        return "fail", "schema", f"models differ from the migrations: {diff[:3]}"
    return "ok", "schema", f"at head {', '.join(sorted(heads))}"


def check_mail():
    settings = mail_settings()
    where = f"{settings.server}:{settings.port}"
    if not settings.server:
        return "warn", "mail", "no SMTP server set: no message will be sent"
    if not settings.sender:
        return "warn", "mail", f"{where} set but no sender address"
    error = probe_smtp(settings)
    if error:
        return "warn", "mail", f"{where} not usable now: {error}"
    return "ok", "mail", f"{where} accepts a session"


def check_public_url():
    url = public_url()
    if not url:
        return "warn", "public address", "not set: links in mail point at this server's own address " \
            "(set it in Settings or PUBLIC_URL)"
    return "ok", "public address", url


def check_secret_key():
    key, source = current_app.config["SECRET_KEY"], current_app.config["SECRET_KEY_SOURCE"]
    if len(key) < 32:
        return "fail", "secret key", f"too short ({len(key)} characters, from {source}); use 32 or more"
    return "ok", "secret key", f"set, from the {source}"


def check_demo_passwords():
    demo_password = current_app.config["DEMO_PASSWORD"]
    names = [current_app.config["ADMIN_USERNAME"].lower()] + [name for name, *_ in seeding.DEMO_USERS]
    users = db.session.scalars(select(User).where(User.active.is_(True), User.username.in_(names))).all()
    weak = [u.username for u in users if u.check_password(demo_password)]
    if weak:
        return "warn", "demo passwords", f"still in use by: {', '.join(weak)}"
    return "ok", "demo passwords", "none in use"
