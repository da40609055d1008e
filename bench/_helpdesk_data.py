"""Realistic helpdesk data for the benches: N tickets over the demo catalogues with Spanish
titles and descriptions, replies and notes on a fifth of them and their audit rows, bulk-loaded
with COPY (secondary indexes dropped during the load and rebuilt afterwards)."""
import json
import random
import secrets
import time
from datetime import UTC, datetime, timedelta

from _server import PgConnection

ADMIN = "admin"  # the demo admin, who answers tickets of areas without agents
SEARCH_WORDS = ["impresora", "correo", "factura", "contraseña", "error", "pago", "sistema", "acceso"]

SUBJECTS = {  # category name → what its tickets are about
    "Acceso a la cuenta": ["contraseña", "correo", "usuario", "VPN", "cuenta", "permisos", "portal", "sesión"],
    "Equipo y hardware": ["impresora", "monitor", "teclado", "ratón", "portátil", "escáner", "proyector",
                          "cable de red", "disco duro", "teléfono"],
    "Software y aplicaciones": ["Excel", "navegador", "antivirus", "sistema contable", "Outlook", "licencia",
                                "Teams", "sistema de nóminas", "ERP", "PDF"],
    "Pagos": ["pago", "transferencia", "tarjeta", "reembolso", "cobro duplicado", "domiciliación"],
    "Facturas y comprobantes": ["factura", "comprobante", "nota de crédito", "RFC", "XML", "recibo"],
}
PROBLEMS = ["No funciona", "Error al abrir", "Falla en", "Solicitud de", "Problema con", "No puedo acceder a",
            "Lentitud en", "Cambio de", "Configurar", "Revisión de", "Actualizar", "Error en el sistema con",
            "Bloqueo de", "Duda sobre"]
PLACES = ["", "", "", " en recepción", " de la oficina 3", " del segundo piso", " en contabilidad", " en la sala",
          " del laboratorio", " en dirección"]
SYMPTOMS = ["no responde", "muestra un error", "se queda bloqueado", "va muy lento", "no enciende",
            "pide la contraseña otra vez", "se cierra solo", "no imprime", "no sincroniza", "da error de acceso"]
CONTEXT = ["Pasa desde esta mañana", "Ocurre desde ayer por la tarde", "Sucede solo en mi equipo",
           "Le pasa también a mis compañeros", "Empezó después de la última actualización",
           "Es urgente porque tenemos cierre de mes", "Necesito entregar un informe hoy",
           "Ya reinicié el equipo pero sigue igual", "Probé desde otro navegador y tampoco",
           "El mensaje dice que el servicio no está disponible", "Adjunto una captura del error"]
FILLER = ["el", "la", "los", "las", "un", "una", "de", "del", "en", "con", "para", "por", "que", "se", "no", "sí",
          "muy", "más", "también", "pero", "cuando", "desde", "hasta", "sistema", "equipo", "pantalla", "mensaje",
          "servidor", "red", "archivo", "carpeta", "usuario", "cliente", "proveedor", "oficina", "reunión", "informe",
          "semana", "mañana", "tarde", "urgente", "favor", "gracias", "saludos", "revisar", "cambiar", "instalar",
          "configurar", "enviar", "recibir", "abrir", "cerrar", "guardar", "imprimir", "conectar", "acceso", "clave",
          "datos", "registro", "error", "fallo", "aviso", "incidencia", "solicitud", "pedido", "cobro", "pago",
          "factura", "contrato", "nómina", "horario"]
FIRST = ["María", "José", "Lucía", "Carlos", "Ana", "Javier", "Sofía", "Miguel", "Elena", "Pablo", "Carmen",
         "Diego", "Laura", "Andrés", "Paula", "Jorge", "Marta", "Luis", "Isabel", "Fernando", "Rocío", "Raúl"]
LAST = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Díaz", "Moreno", "Muñoz",
        "Álvarez", "Romero", "Ruiz", "Hernández", "Jiménez", "Torres", "Navarro", "Ramos", "Castillo", "Núñez"]
REPLIES = ["Estamos revisando el caso, le aviso en cuanto tenga novedades.", "¿Puede indicarnos el mensaje exacto?",
           "Ya quedó resuelto, por favor confirme que funciona.", "Gracias, ya funciona correctamente.",
           "Sigue fallando, adjunto otra captura.", "Se escaló al proveedor.", "Reinicié el servicio del servidor."]

TICKET_COLUMNS = ("id", "number", "title", "description", "status", "category_id", "area_id", "priority_id",
                  "location_id", "requester_id", "requester_name", "requester_email", "assignee_id",
                  "tracking_token", "created_at", "updated_at", "first_response_at", "closed_at", "due_at",
                  "awaiting_requester_since")
COMMENT_COLUMNS = ("ticket_id", "author_id", "author_name", "internal", "from_staff", "body", "created_at")
AUDIT_COLUMNS = ("created_at", "actor_id", "actor_name", "action", "entity_type", "entity_id", "before", "after")


def catalogues(conn):
    rows = conn.execute("SELECT c.id, c.name, c.area_id, p.code FROM categories c"
                        " JOIN priorities p ON p.id = c.default_priority_id ORDER BY c.id").fetchall()
    priorities = {code: (pid, resolution) for pid, code, resolution in
                  conn.execute("SELECT id, code, resolution_hours FROM priorities")}
    response = dict(conn.execute("SELECT code, response_hours FROM priorities").fetchall())
    users = {name: (uid, full_name)
             for uid, name, full_name in conn.execute("SELECT id, username, full_name FROM users")}
    agents_of = {}
    for user_id, area_id in conn.execute("SELECT user_id, area_id FROM agent_areas ORDER BY user_id"):
        agents_of.setdefault(area_id, []).append(user_id)
    locations = [row[0] for row in conn.execute("SELECT id FROM locations ORDER BY id")]
    return rows, priorities, response, users, agents_of, locations


def ticket_text(rng, category_name):
    subject = rng.choice(SUBJECTS.get(category_name, ["sistema"]))
    title = f"{rng.choice(PROBLEMS)} {subject}{rng.choice(PLACES)}"
    sentences = [f"Buenos días, el {subject} {rng.choice(SYMPTOMS)}.", f"{rng.choice(CONTEXT)}."]
    for _ in range(rng.randint(1, 4)):
        sentences.append(" ".join(rng.choices(FILLER, k=rng.randint(6, 16))).capitalize() + ".")
    sentences.append("Gracias.")
    return title[:200], " ".join(sentences)


def generate(conn, n, rng, now):
    """Rows for tickets, comments and audit entries, oldest ticket first (ids follow creation)."""
    categories, priorities, response, users, agents_of, locations = catalogues(conn)
    codes = list(priorities)
    user_id, user_name = users["user1"]
    names = {uid: name for name, (uid, _) in users.items()}
    start = now - timedelta(days=365)
    created = sorted(start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(n))
    tickets, comments, audit = [], [], []
    for i, created_at in enumerate(created, start=1):
        category_id, category_name, area_id, default_code = rng.choice(categories)
        code = default_code if rng.random() < 0.7 else rng.choice(codes)
        priority_id, resolution_hours = priorities[code]
        age = (now - created_at) / timedelta(days=365)
        closed = rng.random() < 0.15 + 0.5 * age  # older tickets are more often closed: ~40% overall
        status = "closed" if closed else rng.choices(["open", "in_progress", "on_hold"], [4, 4, 2])[0]
        assignee = None if rng.random() < 0.10 else rng.choice(agents_of.get(area_id) or [None])
        if rng.random() < 0.35:
            requester_id, requester_name, email = user_id, user_name, "user1@demo.local"
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            requester_id, requester_name = None, f"{first} {last}"
            email = f"{first}.{last}{rng.randint(1, 999)}@ejemplo.com".lower()
        title, description = ticket_text(rng, category_name)
        first_response = closed_at = None
        if status != "open" or (assignee and rng.random() < 0.5):
            first_response = min(now, created_at + timedelta(hours=rng.uniform(0.05, response[code] * 1.5)))
        if closed:
            closed_at = min(now, created_at + timedelta(hours=rng.uniform(0.5, resolution_hours * 2)))
            first_response = min(first_response or closed_at, closed_at)
        updated_at = closed_at or min(now, max(first_response or created_at,
                                               created_at + timedelta(hours=rng.uniform(0, 240))))
        tickets.append((i, f"TKT-{i:06d}", title, description, status, category_id, area_id, priority_id,
                        rng.choice(locations + [None]), requester_id, requester_name, email, assignee,
                        secrets.token_urlsafe(24), created_at, updated_at, first_response, closed_at,
                        created_at + timedelta(hours=resolution_hours), None))
        snapshot = {"status": "open", "priority": code, "assignee": names.get(assignee), "category": category_name}
        audit.append((created_at, requester_id, names.get(requester_id), "ticket.created", "ticket", i, None,
                      json.dumps(snapshot)))
        if closed:
            before, after = snapshot | {"status": "in_progress"}, snapshot | {"status": "closed"}
            audit.append((closed_at, assignee, names.get(assignee), "ticket.status", "ticket", i,
                          json.dumps(before), json.dumps(after)))
        if rng.random() < 0.2:
            end = closed_at or now
            for moment in sorted(created_at + (end - created_at) * rng.random() for _ in range(rng.randint(1, 3))):
                kind = rng.choices(["reply", "note", "requester"], [5, 2, 3])[0]
                if kind == "requester":
                    comments.append((i, requester_id, requester_name, False, False, rng.choice(REPLIES), moment))
                else:
                    staff = assignee or rng.choice(agents_of.get(area_id) or [users[ADMIN][0]])
                    comments.append((i, staff, names[staff], kind == "note", True, rng.choice(REPLIES), moment))
    audit.sort(key=lambda row: row[0])
    return tickets, comments, audit


def load(database_url, n, seed=4):
    """Bulk-load n tickets (COPY, secondary indexes rebuilt afterwards), then VACUUM ANALYZE."""
    began = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    with PgConnection(database_url) as conn:
        if conn.execute("SELECT count(*) FROM tickets").fetchone()[0]:
            raise RuntimeError("the tickets table is not empty")
        tickets, comments, audit = generate(conn, n, rng, now)
        generated = time.perf_counter() - began
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " AND tablename IN ('tickets', 'ticket_comments', 'audit_log')"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)").fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, columns, rows in (("tickets", TICKET_COLUMNS, tickets),
                                     ("ticket_comments", COMMENT_COLUMNS, comments),
                                     ("audit_log", AUDIT_COLUMNS, audit)):
            conn.copy_rows(table, columns, rows)
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("SELECT setval('tickets_id_seq', %s)", (n,))
        conn.execute("INSERT INTO sequences (name, last_value) VALUES ('ticket', %s)"
                     " ON CONFLICT (name) DO UPDATE SET last_value = EXCLUDED.last_value", (n,))
    with PgConnection(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE tickets, ticket_comments, audit_log, sequences")
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('tickets'))").fetchone()[0]
        matches = {word: conn.execute("SELECT count(*) FROM tickets WHERE search_vector @@ to_tsquery('simple', %s)",
                                      (f"{word}:*",)).fetchone()[0]
                   for word in SEARCH_WORDS}
    closed = sum(1 for row in tickets if row[4] == "closed")
    unassigned = sum(1 for row in tickets if row[12] is None)
    print(f"loaded {n} tickets ({closed / n:.0%} closed, {unassigned / n:.0%} unassigned), {len(comments)} comments, "
          f"{len(audit)} audit rows in {time.perf_counter() - began:.1f} s (generating {generated:.1f} s); "
          f"tickets table with indexes {size}")
    print("tickets matching each search word: " + ", ".join(f"{word} {count}" for word, count in matches.items()))
