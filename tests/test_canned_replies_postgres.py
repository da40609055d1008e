"""Reply templates on PostgreSQL with real threads: two admins naming a shared template alike at
the same instant leave one template, not two (there is no unique index: the title check and the
insert take turns)."""
import pytest
from sqlalchemy import func, select

from extensions import db
from models import CannedReply, User
from services.errors import Conflict
from services.helpdesk import canned_replies as canned
from tests.support.people import make_people
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.postgres


def save_as(user_id, title, shared):
    try:
        canned.save(None, db.session.get(User, user_id), title=title, body="Hola {requester_name}", shared=shared)
        return "saved"
    except Conflict:
        return "refused"


def test_the_same_shared_title_saved_at_once_is_kept_once(pg_clean):
    with pg_clean.app_context():
        admin = make_people()["admin"]
    results = run_in_threads(pg_clean, 8, lambda index: save_as(admin, "Contraseña caducada" if index % 2 else
                                                                "CONTRASEÑA  caducada", shared=True))
    assert sorted(results) == ["refused"] * 7 + ["saved"]
    with pg_clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 1


def test_different_owners_do_not_wait_for_each_other_titles(pg_clean):
    with pg_clean.app_context():
        people = make_people()
    owners = [people["admin"], people["agent"]]
    results = run_in_threads(pg_clean, 2, lambda index: save_as(owners[index], "Firma", shared=False))
    assert results == ["saved", "saved"]
