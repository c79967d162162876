"""Images used by the kiosk style sheet (package data)."""
