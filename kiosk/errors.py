"""Errors of the ``kiosk`` package (no Qt here).

    Error                               base of every error the kiosk raises
    ├── SettingsError (ValueError)      ``kiosk.core.settings``: a settings file or value is not valid
    ├── Cancelled                       ``kiosk.worker``: a job noticed it is not wanted any more
    └── kiosk.direct.errors.Error       direct mode (modification 2): enrolment, sign-in, trust, the node

Errors of the packages the kiosk calls (``backend_client``, ``printing``) keep their own bases; the screens word
them all (``kiosk.failures.describe_error``).
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error raised by ``kiosk`` (direct mode's included)."""
