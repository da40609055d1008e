import re
from services.settings import save_settings, get_setting
def test_dbg(app, client, users):
    print(re.search(r'data-timezone="[^"]*"', client.get("/").get_data(as_text=True)).group(0))
    with app.app_context():
        save_settings({"timezone": "America/Bogota"}, actor=None)
    print(re.search(r'data-timezone="[^"]*"', client.get("/").get_data(as_text=True)).group(0))
    with app.test_request_context("/"):
        from flask_babel import get_timezone, format_datetime
        print("setting", get_setting("timezone"), get_timezone(), repr(format_datetime(None, "VV")))
    print(re.search(r'data-timezone="[^"]*"', client.get("/").get_data(as_text=True)).group(0))
