"""On PostgreSQL: the app end to end, and races settled by row locks with real threads."""
import threading

import pytest
from sqlalchemy import select

from extensions import db
from models import Role, User
from services import seeding
from services.accounts import users as user_service
from services.errors import NotAllowed
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.postgres


def add_user(username, role):
    user = User(username=username, role=role, email=f"{username}@example.org")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user.id


def test_sign_in_admin_pages_and_api_on_postgresql(pg_clean):
    with pg_clean.app_context():
        add_user("jefa", Role.ADMIN)
        add_user("agente", Role.AGENT)
    client = pg_clean.test_client()
    assert login(client, "jefa").status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert client.post("/admin/users/new", data={"username": "nuevo", "role": "staff",
                                                 "new_password": "temporal-1"}).status_code == 302
    token = client.post("/api/auth/login", json={"username": "agente", "password": PASSWORD}).json
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"}).json[
        "role"] == "agent"


def test_seeding_twice_on_postgresql_changes_nothing(pg_clean):
    with pg_clean.app_context():
        first = seeding.seed("admin", None, demo=True, demo_password="demo1234")
        second = seeding.seed("admin", None, demo=True, demo_password="demo1234")
        assert len(first.created) > 10 and second.created == []


def run_together(app, jobs):
    """Run each job in its own thread and session, all released at the same instant."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            try:
                prepared = job.prepare()
                barrier.wait(timeout=10)
                job.run(*prepared)
                outcomes[index] = "ok"
            except NotAllowed:
                outcomes[index] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


class Deactivate:
    def __init__(self, actor_id, target_id):
        self.actor_id, self.target_id = actor_id, target_id

    def prepare(self):
        return db.session.get(User, self.actor_id), db.session.get(User, self.target_id)

    def run(self, actor, target):
        user_service.set_active(target, False, actor)


class Demote(Deactivate):
    def run(self, actor, target):
        user_service.update_user(target, actor, target.username, target.email, target.full_name,
                                 Role.AGENT, True)


@pytest.mark.parametrize("action", [Deactivate, Demote])
def test_two_admins_removing_each_other_at_once_leave_one_admin(pg_clean, action):
    for _ in range(10):
        with pg_clean.app_context():
            for user in db.session.scalars(select(User)):
                db.session.delete(user)
            db.session.commit()
            first, second = add_user("ana", Role.ADMIN), add_user("beto", Role.ADMIN)
        outcomes = run_together(pg_clean, [action(first, second), action(second, first)])
        assert sorted(outcomes) == ["ok", "refused"]
        with pg_clean.app_context():
            assert user_service.count_active_admins() == 1
