"""The flows: the list flow (modification 3, the default), manual requests (S201–S214), reprints, staff settings.

Each is a small controller that wires its screens to the shared flow (``kiosk.flow.KioskFlow``: session, worker,
progress, errors, output), which it sees as ``kiosk.flows.common.SharedFlow``, and holds no Qt state of its own.
``kiosk.flow`` imports the flows; the flows never import ``kiosk.flow``.
"""
