"""The queue's JSON API as the browser tests drive it against a live server: a kiosk (registrar1)
issues tickets and a staff member calls them at their counter, the way a panel does."""
import json
import urllib.error
import urllib.request


def api_request(base_url, method, path, body=None, token=None):
    """(status, JSON body) of one request; an error status is returned, not raised."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def api_login(base_url, username, password="demo1234"):
    status, body = api_request(base_url, "POST", "/api/auth/login", {"username": username, "password": password})
    assert status == 200, body
    return body["access_token"]


class QueueDesk:
    """registrar1 at the kiosk and `staff` at a counter. Log in once per test module: the login
    route is rate-limited."""

    def __init__(self, base_url, staff="staff1", service_prefix=None):
        self.base_url = base_url
        self.registrar = api_login(base_url, "registrar1")
        self.staff = api_login(base_url, staff)
        self.open_ticket_id = None  # what this client last saw open at the counter
        # The service issue() uses when given none.
        self.service_id = self.find_service_id(service_prefix) if service_prefix else None

    def request(self, method, path, body=None, token=None):
        return api_request(self.base_url, method, path, body, token)

    def find_service_id(self, prefix):
        # The API lists services by prefix only; the demo's services have small ids.
        for service_id in range(1, 10):
            status, body = self.request("POST", "/api/queue/tickets", {"service_id": service_id}, self.registrar)
            if status == 201 and body["service_prefix"] == prefix:
                return service_id
        raise AssertionError(f"no service {prefix} in the demo data")

    def issue(self, service_id=None):
        status, body = self.request("POST", "/api/queue/tickets", {"service_id": service_id or self.service_id},
                                    self.registrar)
        assert status == 201, body
        return body

    def try_call_next(self, counter_id=None):
        """Call-next saying which ticket it finishes, as a panel does (a call-next that does not say
        is refused within a second of the last call). When the counter moved on meanwhile (another
        test's transfer, a call from the panel), the 409 tells what is open: once more with that.
        `counter_id` None: the staff member's only counter."""
        for _ in range(2):
            status, body = self.request("POST", "/api/queue/call-next",
                                        {"counter_id": counter_id, "current_ticket_id": self.open_ticket_id},
                                        self.staff)
            if status != 409 or body.get("error") != "counter_moved_on":
                break
            open_now = body["state"]["current"]
            self.open_ticket_id = open_now[-1]["id"] if open_now else None
        self.open_ticket_id = body["id"] if status == 200 else None  # queue empty: what was open is finished
        return status, body

    def call_next(self, counter_id=None):
        status, body = self.try_call_next(counter_id)
        assert status == 200, body
        return body

    def empty_the_line(self, counter_id=None):
        """Call everyone still waiting for the counter, so the next call is predictable."""
        for _ in range(500):
            status, body = self.try_call_next(counter_id)
            if status == 409:
                assert body["error"] == "queue_empty", body
                return
        raise AssertionError("the line never emptied")
