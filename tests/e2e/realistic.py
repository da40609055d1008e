"""The realistic data set: what a real organisation types in, at the lengths the forms allow.

An organisation name of 60 characters, Spanish accents and ñ everywhere, three-letter queue
prefixes and four-digit queue numbers, names, services, counters, areas, categories and
locations as long as their forms accept, long ticket titles, replies, internal notes, a file,
someone in copy, a requester without an account, reply templates, holidays, business hours,
chat messages and notifications.

`seed(password)` writes it through the services (so the audit trail and the notifications are
the real ones) inside an app context and returns the ids the role matrix's URLs need
(`{hd_ticket}`, `{token}`, ...). `python -m tests.e2e.realistic` does the same for the app the
environment describes (INSTANCE_PATH, DATABASE_URL) and prints those ids as JSON: the
`realistic_server` fixture in tests/e2e/conftest.py runs it against its own database.
"""
import json
import sys
from datetime import date, time

from sqlalchemy import select

from app import create_app
from extensions import db
from models import (Attachment, NotificationKind, Priority, PriorityReason, QueueSequence, Role, Screen, Sequence,
                    TicketStatus, User)
from services import settings
from services.helpdesk import business_hours
from services.helpdesk import canned_replies as canned
from services.helpdesk import catalogues, tickets, watchers
from services.helpdesk.attachments import upload_dir
from services.messaging import chat, inbox
from services.queue import line, setup
from services.timeutil import local_today

PASSWORD = "password123"

# --- lengths: the forms' limits ------------------------------------------------------------
ORGANISATION_MAX = 60  # the issue's "real organisation name"
FULL_NAME_MAX, SERVICE_MAX, COUNTER_MAX, SCREEN_MAX, TICKER_MAX = 120, 80, 40, 60, 300
AREA_MAX, CATEGORY_MAX, LOCATION_MAX, SPECIALTY_MAX, PHONE_MAX = 80, 120, 120, 100, 40
TITLE_MAX, CANNED_TITLE_MAX, HOLIDAY_MAX, FILE_NAME_MAX = tickets.TITLE_MAX, canned.TITLE_MAX, 120, 150


# What a person adds to fill a field to the brim: where, for whom.
TAIL = (" · Ayuntamiento de San Cristóbal de La Laguna, Santa Cruz de Tenerife (Islas Canarias, España),"
        " Área de Atención Ciudadana y Modernización Administrativa")


def sized(text, length):
    """`text` and as much of TAIL as it takes, cut to exactly `length` characters, never ending in a space."""
    while len(text) < length:
        text += TAIL
    text = text[:length]
    return text if not text.endswith(" ") else text[:-1] + "."


ORGANISATION = sized("Ayuntamiento de San Cristóbal de La Laguna · Atención Ciudadana", ORGANISATION_MAX)

# username: role, full name, counter (by index into COUNTERS)
PEOPLE = {
    "admin1": (Role.ADMIN, "María Concepción Fernández-Villaseñor de la Peña y Ordóñez, Jefa de Servicio de "
                           "Atención Ciudadana e Innovación Pública", None),
    "staff1": (Role.STAFF, "José Ángel Núñez-Cañizares de Íñiguez y Bermúdez de Castro, Auxiliar Administrativo "
                           "del Registro General", 0),
    "staff2": (Role.STAFF, "Begoña Güemes Echeverría-Zubizarreta, Técnica de Atención Preferente y Gestión de "
                           "Citas del Padrón Municipal", 1),
    "registrar1": (Role.REGISTRAR, "Inmaculada Peñalver Sáenz de Buruaga, Recepcionista del Vestíbulo Principal "
                                   "de la Casa Consistorial", None),
    "agent1": (Role.AGENT, "Joaquín Muñoz-Saldaña Pérez de Guzmán, Técnico Superior de Sistemas, Redes y "
                           "Comunicaciones Unificadas", None),
    "agent2": (Role.AGENT, "Nuria Álvarez-Cienfuegos Jovellanos, Analista de Aplicaciones Corporativas y "
                           "Administración Electrónica", None),
    "user1": (Role.USER, "Francisco Javier Sánchez-Albornoz Menéndez de Avilés, Negociado de Urbanismo, "
                         "Licencias y Disciplina Urbanística", None),
    "user2": (Role.USER, "Ángeles Martínez de Irujo Fitz-James Stuart, Sección de Contratación Pública y "
                         "Patrimonio Municipal", None),
}
SERVICES = [  # prefix, name, colour
    ("PAD", "Padrón municipal: altas, bajas, cambios de domicilio y certificados de empadronamiento", "#0d6efd"),
    ("REG", "Registro general de entrada y salida de documentos, compulsas y cita previa electrónica", "#198754"),
    ("TRI", "Tributos, tasas y precios públicos: recibos, domiciliaciones, bonificaciones y fraccionamientos",
     "#6f42c1"),
    ("LIC", "Licencias urbanísticas, declaraciones responsables y comunicaciones previas de obra menor",
     "#d63384"),
]
COUNTERS = [  # name, prefixes served (most preferred first)
    ("Módulo nº 12 · Atención preferente y discapacidad", ["PAD", "REG", "TRI"]),
    ("Módulo nº 14 · Tributos y recaudación ejecutiva", ["TRI", "PAD"]),
    ("Ventanilla única de urbanismo y licencias de obra", ["LIC", "REG"]),
]
SCREEN = ("Sala de espera de la planta baja · Edificio de la Casa Consistorial", "sala-de-espera-planta-baja-"
          "edificio-casa-consistorial-san-cristobal-la-laguna")
TICKER = ("Recuerde: para los trámites del padrón traiga su DNI, NIE o pasaporte en vigor. El pago de tributos "
          "con tarjeta se realiza en el módulo nº 14. Las personas mayores, embarazadas o con discapacidad tienen "
          "atención preferente. Horario de invierno: de lunes a viernes, de 8:30 a 14:00; jueves también de 16:00 "
          "a 18:30. ¡Gracias por su paciencia!")
AREAS = {
    "Informática, telecomunicaciones y administración electrónica de los servicios municipales": [
        "Acceso a la sede electrónica, certificados digitales de empleado público y firma electrónica con Cl@ve",
        "Equipos de sobremesa, portátiles, impresoras multifunción y escáneres de la red corporativa municipal",
        "Aplicaciones de gestión tributaria, padrón de habitantes, registro general y expedientes electrónicos",
    ],
    "Mantenimiento de edificios, instalaciones municipales, climatización y señalización": [
        "Climatización, calefacción y ventilación de oficinas, salas de espera y dependencias de atención al público",
    ],
}
AGENTS = [  # username, specialty, phone
    ("agent1", "Redes, servidores, telefonía IP, certificados electrónicos y seguridad de la información",
     "+34 (922) 601 100 #14321 / +34 600123456"),
    ("agent2", "Aplicaciones de gestión tributaria, padrón, registro electrónico y tramitación de expedientes",
     "+34 (922) 601 100 #4322"),
]
LOCATIONS = [
    "Casa Consistorial · Plaza del Adelantado nº 1, planta baja, Oficina de Atención Ciudadana y Registro General",
    "Edificio de Servicios Municipales de Tejina · Calle Armas Marcelo, antiguo Mercado Municipal, segunda planta",
]


def fit(text, length):
    """`text` cut to at most `length` characters (no trailing space)."""
    return text[:length].rstrip()


def _user(username, password):
    role, full_name, _ = PEOPLE[username]
    user = User(username=username, email=f"{username}.atencion.ciudadana@ayuntamiento-laguna.example.org",
                full_name=sized(full_name, FULL_NAME_MAX), role=role, must_change_password=False)
    user.set_password(password)
    db.session.add(user)
    return user


def seed_people(password):
    people = {username: _user(username, password) for username in PEOPLE}
    db.session.flush()
    return people


def seed_queue(admin, people):
    services = {}
    for position, (prefix, name, colour) in enumerate(SERVICES):
        services[prefix] = setup.save_service(None, admin, sized(name, SERVICE_MAX), prefix, colour, position,
                                              True, {})
    counters = []
    for position, (name, prefixes) in enumerate(COUNTERS, start=1):
        counters.append(setup.save_counter(None, admin, sized(name, COUNTER_MAX), position, True,
                                           [services[p].id for p in prefixes]))
    screen = Screen(name=sized(SCREEN[0], SCREEN_MAX), slug=SCREEN[1][:SCREEN_MAX].strip("-"),
                    ticker=fit(TICKER, TICKER_MAX), services=list(services.values()))
    db.session.add(screen)
    db.session.commit()
    # Four-digit numbers: the day's sequence of every service is already past a thousand.
    today = local_today()
    for offset, service in enumerate(services.values()):
        db.session.add(QueueSequence(service_id=service.id, day=today, last_number=1236 + 1111 * offset))
    db.session.commit()
    issued = []
    reasons = [None, PriorityReason.ELDERLY, None, PriorityReason.DISABILITY, None, PriorityReason.PREGNANT]
    for index in range(18):
        service = list(services.values())[index % len(services)]
        issued.append(line.issue_ticket(service, priority=reasons[index % len(reasons)], actor=people["registrar1"]))
    for username in ("staff1", "staff2"):
        staff = people[username]
        line.take_counter(staff, counters[PEOPLE[username][2]])
    first = line.call_next(counters[0], people["staff1"])
    line.start_service(first, counters[0], people["staff1"])
    line.finish(first, counters[0], people["staff1"])
    second = line.call_next(counters[0], people["staff1"])  # on the call screen and at the counter now
    line.call_next(counters[1], people["staff2"])
    return {"service": services["PAD"].id, "counter": counters[0].id, "ticket": second.id, "token": issued[-1].token,
            "screen": screen.id, "screen_slug": screen.slug}


def seed_catalogues(admin, people):
    priorities = {p.code: p for p in db.session.scalars(select(Priority))}
    areas, categories = [], []
    for area_name, category_names in AREAS.items():
        area = catalogues.save(catalogues.AREAS, None, admin, sized(area_name, AREA_MAX),
                               description=sized("Incidencias y peticiones del área; el equipo responde por orden "
                                                 "de prioridad y de llegada, según el acuerdo de nivel de servicio.",
                                                 600))
        areas.append(area)
        for name in category_names:
            categories.append(catalogues.save(catalogues.CATEGORIES, None, admin, sized(name, CATEGORY_MAX),
                                              area_id=area.id, default_priority_id=priorities["high"].id))
    locations = [catalogues.save(catalogues.LOCATIONS, None, admin, sized(name, LOCATION_MAX)) for name in LOCATIONS]
    for username, specialty, phone in AGENTS:
        catalogues.update_agent(people[username], admin, [a.id for a in areas], sized(specialty, SPECIALTY_MAX),
                                fit(phone, PHONE_MAX), True)
    return {"area": areas[0].id, "category": categories[0].id, "priority": priorities["low"].id,
            "location": locations[0].id, "categories": [c.id for c in categories],
            "locations": [x.id for x in locations]}


TITLES = [
    "La impresora multifunción de la Oficina de Atención Ciudadana no escanea a la carpeta compartida y muestra el "
    "error «Destino no disponible» desde la actualización del jueves",
    "No puedo firmar los decretos con el certificado de empleado público: la sede electrónica dice que la cadena de "
    "certificación no es de confianza",
    "La climatización de la sala de espera de la planta baja no enfría y los vecinos se quejan del calor por la tarde",
    "Solicito acceso al módulo de fraccionamientos de la aplicación de gestión tributaria para la campaña del IBI",
]
DESCRIPTION = ("Buenos días:\n\nDesde el jueves, cuando técnicos de la empresa adjudicataria actualizaron el firmware, "
               "la impresora multifunción Ricoh de la planta baja no deja escanear a la carpeta compartida "
               "\\\\fs01\\escaneos\\atención-ciudadana. En la pantalla aparece «Destino no disponible "
               "(código 0x80070005)».\n\n"
               "Hemos probado a reiniciarla y a escanear al correo electrónico, que sí funciona, pero los expedientes "
               "de empadronamiento tienen que quedar en la carpeta para que el Negociado de Estadística los recoja. "
               "Atendemos a unas 140 personas al día y ahora mismo estamos fotocopiando los documentos a mano.\n\n"
               "Muchas gracias por su ayuda. Un saludo cordial.")
REPLIES = [
    ("agent1", "Buenos días, Francisco Javier: he revisado el registro de la impresora y el cambio de firmware ha "
               "borrado la cuenta de servicio con la que escaneaba. La he vuelto a dar de alta con permisos de "
               "escritura en la carpeta. ¿Puede probar ahora y decirme si funciona?", False),
    ("agent1", "Nota interna: la cuenta svc-escaneo caduca el 31/12; pedir a Sistemas que no la deshabilite con la "
               "política de contraseñas de la próxima campaña de renovación.", True),
    ("user1", "Acabo de probar con un expediente de cambio de domicilio de once páginas y ya aparece en la carpeta. "
              "Muchísimas gracias por la rapidez; aviso también a mis compañeras del turno de tarde.", False),
]
ANONYMOUS = ("Ramón Ibáñez-Sotomayor de Villalobos, en representación de la Asociación Vecinal «El Líbano» de "
             "Taco y La Cuesta", "asociacion.vecinal.el.libano.taco.la.cuesta@correo-vecinal.example.org")


def seed_helpdesk(admin, people, catalogue):
    db.session.merge(Sequence(name="ticket", last_value=12344))  # five-digit ticket numbers
    db.session.commit()
    user1, agent1 = people["user1"], people["agent1"]
    filed = []
    for index, title in enumerate(TITLES):
        filed.append(tickets.file_ticket(title=sized(title, TITLE_MAX), description=DESCRIPTION,
                                         category_id=catalogue["categories"][index % len(catalogue["categories"])],
                                         requester=user1 if index % 2 == 0 else people["user2"],
                                         location_id=catalogue["locations"][index % 2]))
    filed.append(tickets.file_ticket(title=sized(TITLES[2], TITLE_MAX), description=DESCRIPTION,
                                     category_id=catalogue["categories"][-1], requester_name=fit(ANONYMOUS[0], 120),
                                     requester_email=ANONYMOUS[1]))
    hd_ticket = filed[0]
    for ticket in filed:
        tickets.assign(ticket, agent1.id, admin)
    tickets.change_status(filed[1], TicketStatus.IN_PROGRESS, agent1)
    for username, body, internal in REPLIES:
        tickets.add_comment(hd_ticket, body, people[username], internal=internal)
    file_name = sized("Captura de pantalla del error «Destino no disponible» en la multifunción Ricoh de la "
                      "Oficina de Atención Ciudadana", FILE_NAME_MAX - 4) + ".png"
    (upload_dir() / "realistic-capture").write_bytes(b"\x89PNG\r\n\x1a\n")
    attachment = Attachment(ticket_id=hd_ticket.id, original_name=file_name, stored_name="realistic-capture",
                            content_type="image/png", size=8)
    db.session.add(attachment)
    db.session.commit()
    copy = "negociado.estadistica.padron.habitantes@ayuntamiento-laguna.example.org"
    watchers.add_copy(hd_ticket, copy, user1)
    watchers.follow(hd_ticket, admin)
    for username in ("staff1", "registrar1", "admin1"):  # the roles the helpdesk tells nothing yet
        inbox.notify(people[username].id, NotificationKind.STATUS, filed[1], actor=agent1, status="in_progress")
    db.session.commit()
    return {"hd_ticket": hd_ticket.id, "hd_token": hd_ticket.tracking_token, "attachment": attachment.id,
            "copy_token": watchers.leave_token(hd_ticket, copy)}


def seed_conversations(people):
    lines = [
        ("user1", "agent1", "Hola, Joaquín: ¿podría pasarse mañana por la Oficina de Atención Ciudadana a revisar el "
                            "escáner? Estamos de 8:30 a 14:00."),
        ("agent1", "user1", "Sin problema, Francisco Javier. Me acerco a las 9:15, antes de que se llene la sala."),
        ("admin1", "agent1", "Joaquín, cuando termine con la multifunción, ¿puede preparar el informe de incidencias "
                             "del trimestre para la Comisión de Régimen Interior?"),
        ("staff1", "agent1", "El lector de DNI electrónico del módulo nº 12 vuelve a fallar con los documentos "
                             "antiguos; ¿le abro un ticket o lo mira directamente?"),
        ("registrar1", "agent1", "La impresora de tickets del quiosco hace un ruido extraño y saca los números "
                                 "torcidos; ¿es normal?"),
    ]
    for sender, recipient, body in lines:
        chat.send_message(people[sender], body, to_user_id=people[recipient].id)


def seed_canned_replies(admin, people):
    shared = canned.save(None, admin, title=sized("Solicitud de información adicional para tramitar la incidencia "
                                                  "con la empresa adjudicataria del mantenimiento", CANNED_TITLE_MAX),
                         body=("Estimado/a {requester_name}:\n\nPara poder tramitar su incidencia con la empresa "
                               "adjudicataria necesitamos el número de inventario del equipo (etiqueta amarilla) y "
                               "una fotografía del mensaje de error.\n\nUn saludo,\n{agent_name}"), shared=True)
    own = canned.save(None, people["agent1"],
                      title=sized("Mi firma con teléfono directo, extensión y horario de atención presencial en la "
                                  "Casa Consistorial", CANNED_TITLE_MAX),
                      body="Un saludo cordial,\n{agent_name}\nServicio de Informática · ext. 4321 · de 8:00 a 15:00")
    return {"canned_shared": shared.id, "canned_own": own.id}


def seed_calendar(admin):
    week = {day: [(time(8, 0), time(14, 30)), (time(16, 0), time(18, 30))] for day in range(4)}
    week[4] = [(time(8, 0), time(14, 0))]
    business_hours.save_weekly_hours(week, admin)
    year = local_today().year + 1
    holidays = [
        (date(year, 2, 2), "Festividad de Nuestra Señora de Candelaria, Patrona General del Archipiélago Canario y "
                           "fiesta local de la ciudad"),
        (date(year, 5, 30), "Día de Canarias: conmemoración de la primera sesión del Parlamento de Canarias, "
                            "celebrada el 30 de mayo de 1983"),
        (date(year, 12, 25), "Natividad del Señor"),
    ]
    ids = [business_hours.add_holiday(day, sized(name, HOLIDAY_MAX), admin).id for day, name in holidays]
    return {"holiday": ids[0]}


def seed(password=PASSWORD):
    """Write the whole data set; returns the role matrix's placeholders plus `logins` ({role: username})."""
    catalogues.ensure_priorities()
    people = seed_people(password)
    admin = people["admin1"]
    db.session.commit()
    settings.save_settings({"organisation_name": ORGANISATION}, admin)
    ids = {"user": people["user1"].id, "agent": people["agent1"].id}
    ids |= seed_queue(admin, people)
    catalogue = seed_catalogues(admin, people)
    ids |= {key: value for key, value in catalogue.items() if key not in ("categories", "locations")}
    ids |= seed_helpdesk(admin, people, catalogue)
    seed_conversations(people)
    ids |= seed_canned_replies(admin, people)
    ids |= seed_calendar(admin)
    ids["logins"] = {role.value: f"{role.value}1" for role in Role}
    return ids


def main():
    app = create_app()
    with app.app_context():
        ids = seed()
    json.dump(ids, sys.stdout)


if __name__ == "__main__":
    main()
