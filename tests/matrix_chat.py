"""Role-matrix rows for the private chat (see test_role_matrix.py). The target is agent1, who is
assigned user1's `hd_ticket`: every other account may chat with them, agent1 cannot chat with
themselves. The matrix data holds no conversation, so its history is a 404 for everyone;
tests/test_chat.py covers the participants."""
from tests.conftest import ROLES
from tests.matrix import ANON, SIGNED_IN, only

WITH_AGENT = [role for role in ROLES if role != "agent"]

CHAT_ROWS = [
    ("GET", "/chat", "/chat", SIGNED_IN),
    ("GET", "/chat/<int:user_id>", "/chat/{agent}", only(WITH_AGENT, others=404)),
    ("GET", "/chat/<int:conversation_id>/messages.json", "/chat/{hd_ticket}/messages.json",
     dict.fromkeys(ROLES, 404) | {ANON: 302}),
    # An empty message: a flash and back to the conversation; agent1 has no chat with themselves.
    ("POST", "/chat/<int:user_id>/messages", "/chat/{agent}/messages", only(WITH_AGENT, status=302, others=404)),
]
