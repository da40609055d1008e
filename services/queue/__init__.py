"""The walk-in queue: issuing numbers and calling them (line), what the screens show (display),
services and counters (setup), the dashboard's figures (stats) and exports."""
