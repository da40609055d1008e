"""Blueprints, grouped by the feature they serve. Routes parse and validate, check the role, call
a service and respond; the rules live in services/.

- main.py          the front door: each role's home, the language switch, /healthz, the navigation
- auth/            sign in and out, registration, one's own password and profile
- first_run/       the set-up wizard, until the first admin exists
- queue/           the walk-in queue: call screen and status page, kiosk, counter panel (views
                   in screens, kiosk, panel); services and counters (setup); dashboard (reports)
- helpdesk/        tickets: filing, the ticket page, /soporte, lists, files, exports; the
                   catalogues admins keep (catalogues)
- messaging/       private chat and the notifications bell
- admin/           accounts, settings and the audit trail
- api/             the JSON API (Bearer tokens) and its OpenAPI document
"""
