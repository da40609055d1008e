"""The JSON API, authenticated with Bearer tokens (auth.py), on the SoportePlus paths: the queue
(queue.py), helpdesk tickets and catalogues (tickets.py); request schemas (schemas.py), response
schemas (serializers.py), errors (errors.py) and the OpenAPI document built from them
(openapi.py, served by docs.py)."""
