"""GreenCert kiosk: the touchscreen app on the MFP operation panel (seed 000, image processing device 7).

Qt is imported only when a window is built, so ``from kiosk import KioskConfig`` works on headless machines.

The map, top to bottom (app to widgets: each imports only those below it; import-linter contracts in
pyproject.toml keep it so, and keep core, direct and errors free of Qt):

    app             build the window, its flow, worker and idle watcher; run the kiosk
    flow            ``KioskFlow``: what every flow shares (session, background work, progress, errors, output,
                    logout and idle timeout, settings); builds the flows
    flows/          the flows (list, manual, reprint, staff settings) and, below them, ``flows.common``
                    (``SharedFlow``, the shared flow as they see it; ``quiet_logout``)
    main_window     the window: header over the stack of screens, the overlays above them
    screens/        one screen per module; ``screens.base.Screen`` is what every screen shares
    widgets/        the building blocks (``controls``: touch buttons, labels, button rows), the overlays
                    (keyboard, date picker, idle warning), ``translatable`` (the one language switch)
    i18n, models, reprint_model, row_text, institutions, printers, failures, idle, worker, notice, qt_compat
                    helpers beside the layers, with Qt: translations, table models, row texts, printer
                    states, error wording, the idle watcher, background jobs
    core/           what needs no Qt: language, messages, config, settings, ports, selection, period,
                    reference, printer_name, phrases, json_file
    direct/         direct mode (modification 2): the kiosk as a light node, no intermediary; no Qt
    errors          ``Error``, the base of every kiosk error (direct mode's included)
"""

from kiosk.app import KioskConfig, build_window, run_kiosk

__all__ = ["KioskConfig", "build_window", "run_kiosk"]
