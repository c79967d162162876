"""The kiosk's parts that need no Qt: they import no PySide6, so they load and test on any machine.

``language`` (the two languages), ``messages`` (the catalogue of message ids), ``config`` (the start-up
configuration) and ``settings`` (the operator's settings file and PIN), ``json_file``, ``ports`` (what the flows
ask of the intermediary or the direct backend), ``selection`` (what one certificate holds), ``period`` (the manual
request's rows), ``reference`` and ``printer_name`` (how a certificate and a printer are named), ``phrases``
(where a Japanese line may break). A test checks that none of them loads PySide6.
"""
