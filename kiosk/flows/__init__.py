"""The flows beside the list flow of ``kiosk.flow``: manual requests (S201–S214), reprints, staff settings.

Each is a small controller that wires its screens to the shared ``KioskFlow`` (session, worker, progress,
errors, output) and holds no Qt state of its own.
"""
