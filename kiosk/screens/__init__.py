"""One module per kiosk screen; each is a ``Screen`` with its own objectName (``<name>Screen``)."""
