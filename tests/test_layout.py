"""The shape the code keeps: services announce through events.py instead of importing mail or
Socket.IO, no import cycle holds modules together, and no import hides inside a function to dodge
one. Read from the source, so a change that breaks the shape fails here before it grows."""
import ast
from collections import defaultdict

from config import BASE_DIR

PACKAGES = ("realtime", "routes", "services", "web")
TOP_LEVEL = ("app", "cli", "config", "email_manager", "events", "extensions", "models", "serving")


def module_name(path):
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules():
    paths = [BASE_DIR / f"{name}.py" for name in TOP_LEVEL]
    paths += [path for package in PACKAGES for path in sorted((BASE_DIR / package).rglob("*.py"))]
    return {module_name(path): ast.parse(path.read_text()) for path in paths}


def imported(node, modules):
    """The app modules an import statement names (`from a import b` may name module a.b)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if node.module is None or node.level:
        return set()
    names = {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return names & set(modules)


def import_graph():
    modules = app_modules()
    graph = defaultdict(set)
    for name, tree in modules.items():
        for node in tree.body:  # module level only: function-level imports are refused below
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[name] |= imported(node, modules) - {name}
    return modules, graph


def test_services_never_import_the_web_the_sockets_or_mail():
    _, graph = import_graph()
    refused = ("realtime", "routes", "web", "email_manager", "app")
    offenders = {name: sorted(target for target in targets if target.split(".")[0] in refused)
                 for name, targets in graph.items() if name.startswith("services")}
    # Mail's own callers: the mail-and-bell subscriber and the SLA alerts write to the outbox, the
    # send_mail job empties it.
    for mail_user in ("services.messaging.notifications", "services.messaging.sla_alerts", "services.jobs"):
        offenders[mail_user] = [target for target in offenders.get(mail_user, []) if target != "email_manager"]
    assert {name: targets for name, targets in offenders.items() if targets} == {}


def test_no_import_cycles_beyond_a_blueprint_package_and_its_views():
    """A blueprint package imports its view modules, which import the package's `bp`: that pair is
    Flask's pattern. Any other cycle fails."""
    _, graph = import_graph()
    cycles = []

    def visit(name, path):
        for target in graph.get(name, ()):
            if target in path:
                cycle = path[path.index(target):]
                package = min(cycle, key=len)
                if not all(module == package or module.startswith(package + ".") for module in cycle):
                    cycles.append(cycle + [target])
            elif len(path) < 12:
                visit(target, path + [target])

    for start in list(graph):
        visit(start, [start])
    assert cycles == []


def test_no_import_hides_inside_a_function():
    """Only serving.py imports inside functions: eventlet, when the server runs under it."""
    hidden = []
    for name, tree in app_modules().items():
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        hidden.append(f"{name}.{function.name}: {ast.unparse(node)}")
    assert sorted(hidden) == ["serving.patch_for_async_mode: import eventlet",
                              "serving.serve_with_eventlet: import eventlet",
                              "serving.serve_with_eventlet: import eventlet.wsgi"]


def test_app_builds_every_feature_from_its_own_folder():
    """app.py's blueprints come from routes/<feature>/ (and the front door, routes/main.py)."""
    from app import BLUEPRINTS

    folders = {blueprint.import_name.split(".")[1] for blueprint, _ in BLUEPRINTS}
    assert folders == {"main", "auth", "first_run", "queue", "helpdesk", "messaging", "admin", "api"}
