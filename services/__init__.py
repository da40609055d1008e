"""The rules of the service desk, with no request or session in sight.

Services take plain values and the acting user, run one transaction, and return model
objects or raise one of the errors below, which routes turn into a flash or a JSON error.
"""
