"""Accounts made directly in the database, for tests that need no sign-in."""
from extensions import db
from models import Role, User


def make_people():
    """One account per role (admin1, agent1, ...), without a usable password. Returns {role: id}."""
    ids = {}
    for role in Role:
        user = User(username=f"{role.value}1", email=f"{role.value}1@example.org", role=role, password_hash="-")
        db.session.add(user)
        db.session.flush()
        ids[role.value] = user.id
    db.session.commit()
    return ids
