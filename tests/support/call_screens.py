"""Named call screens for the browser tests (tests/e2e/test_display_*.py): services, counters and
screens written straight into the live server's SQLite database, as long as the forms allow."""
import json
import secrets
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

# The longest values the forms allow (routes/queue/forms.py, models.py).
SERVICE_NAME = "Trámites de Licencias y Permisos Municipales — Dirección de Obras Particulares"  # + " N": 80
COUNTER_NAME = "Ventanilla de Atención Preferente No. {:02d}"  # 40
ORGANISATION = ("Municipalidad de San José de las Montañas del Norte — Secretaría de Desarrollo Urbano, "
                "Obras Públicas y Atención Vecinal")  # 120
TICKER = ("Recuerde tener a mano su documento de identidad y el comprobante de pago; los trámites de "
          "licencias se atienden hasta las 13:00. Señor contribuyente: el pago del impuesto predial "
          "vence el día 30. Gracias por su paciencia y por respetar el orden de llegada y las prioridades "
          "de adultos mayores, embarazadas y personas con discapacidad. ")[:300]


def live_database(tmp_path_factory):
    """The SQLite file of the `live_server` fixture (tests/e2e/conftest.py)."""
    (database,) = {path.resolve() for path in tmp_path_factory.getbasetemp().glob("live-instance*/live.db")}
    return database


def timestamp(moment):
    """How SQLAlchemy stores a UTC datetime in SQLite (models.UTCDateTime: naive UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class LiveData:
    """Rows written into the live server's database; `undo()` deactivates what was added (rows
    with history stay, as the app itself keeps them) and puts changed settings back, so other
    browser tests see the demo data they expect."""

    def __init__(self, database):
        self.database = database
        self.services, self.counters, self.screens, self.settings = [], [], [], {}

    def execute(self, sql, parameters=()):
        with closing(sqlite3.connect(self.database, timeout=10)) as connection:
            cursor = connection.execute(sql, parameters)
            connection.commit()
            return cursor.lastrowid, cursor.fetchall()

    def value(self, sql, parameters=()):
        rows = self.execute(sql, parameters)[1]
        return rows[0][0] if rows else None

    def add_service(self, prefix, name, color="#d63384", position=900):
        service_id, _ = self.execute(
            "INSERT INTO services (name, prefix, color, active, position) VALUES (?, ?, ?, 1, ?)",
            (name, prefix, color, position))
        self.services.append(service_id)
        return service_id

    def add_counter(self, name, service_ids, state="open", reason="", position=900):
        counter_id, _ = self.execute(
            "INSERT INTO counters (name, active, position, state, state_reason) VALUES (?, 1, ?, ?, ?)",
            (name, position, state, reason))
        for rank, service_id in enumerate(service_ids):
            self.execute("INSERT INTO counter_services (counter_id, service_id, position) VALUES (?, ?, ?)",
                         (counter_id, service_id, rank))
        self.counters.append(counter_id)
        return counter_id

    def add_screen(self, slug, locale, service_ids, recent_count=None, ticker=""):
        screen_id, _ = self.execute(
            "INSERT INTO screens (name, slug, locale, recent_count, ticker, active) VALUES (?, ?, ?, ?, ?, 1)",
            (f"Sala {slug}", slug, locale, recent_count, ticker))
        for service_id in service_ids:
            self.execute("INSERT INTO screen_services (screen_id, service_id) VALUES (?, ?)", (screen_id, service_id))
        self.screens.append(screen_id)
        return screen_id

    def set_setting(self, key, value):
        if key not in self.settings:
            self.settings[key] = self.execute("SELECT value FROM settings WHERE key = ?", (key,))[1]
        self.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, json.dumps(value), timestamp(datetime.now(UTC))))

    def restore_setting(self, key):
        rows = self.settings.pop(key)
        if rows:
            self.execute("UPDATE settings SET value = ? WHERE key = ?", (rows[0][0], key))
        else:
            self.execute("DELETE FROM settings WHERE key = ?", (key,))

    def add_call(self, service_id, number, counter_id, issue_date, minutes_ago):
        """A queue ticket of `service_id` called to `counter_id` earlier today, already finished."""
        prefix = self.value("SELECT prefix FROM services WHERE id = ?", (service_id,))
        called = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        self.execute(
            "INSERT INTO queue_tickets (service_id, issued_service_id, issue_date, number, code, status, token, "
            "issued_at, called_at, last_called_at, finished_at, counter_id, recalls) "
            "VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, 0)",
            (service_id, service_id, issue_date, number, f"{prefix}-{number:03d}", secrets.token_urlsafe(18),
             timestamp(called - timedelta(minutes=20)), timestamp(called), timestamp(called),
             timestamp(called + timedelta(minutes=1)), counter_id))

    def next_number(self, service_id, number):
        """The next queue ticket of the service issued today gets `number` (its row-locked daily
        counter is set; a ticket must have been issued today already)."""
        self.execute("UPDATE queue_sequences SET last_number = ? WHERE service_id = ?", (number - 1, service_id))

    def undo(self):
        for table, ids in (("services", self.services), ("counters", self.counters), ("screens", self.screens)):
            for row_id in ids:
                self.execute(f"UPDATE {table} SET active = 0 WHERE id = ?", (row_id,))
        for key in list(self.settings):
            self.restore_setting(key)
