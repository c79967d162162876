#!/usr/bin/env bash
# Set GreenCert up on a Debian bookworm machine and run it.
#   scripts/bootstrap.sh demo [greencert demo options]   the embedded demo with the kiosk window
#   scripts/bootstrap.sh test [pytest options]           lint, type checks and the whole test suite
# Installs what is missing: Debian packages (with sudo when not root), a virtualenv in .venv, pip packages.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
[ $# -gt 0 ] && shift
case "$mode" in
  demo|test|setup) ;;
  *) echo "usage: $0 demo|test|setup [options]" >&2; exit 64 ;;
esac

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc pkg-config                 # the interpreter and what pycups compiles with
  libssl-dev                                                      # OpenSSL's SHA-256 for the state tree's compiled walks (ledger_lite/_smt_native.c)
  cups cups-daemon cups-client cups-filters libcups2-dev          # printing through a real CUPS (cups-driverd for lpadmin -m, Generic PDF driver)
  poppler-utils                                                   # pdftoppm/pdftotext: the tests check rendered pages
  chromium                                                        # headless browser for the /verify page's phone test (Playwright)
  etcd-server etcd-client                                         # consortium ordering (issue #12); tests start private clusters, never the service
  postgresql                                                      # the intermediary's production database (PostgreSQL 15); tests start private servers, never the service
  fonts-ipaexfont-gothic fonts-ipaexfont-mincho fonts-noto-cjk    # Japanese text in PDFs and in the kiosk
  xvfb xauth libgl1 libegl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1                      # Qt's xcb platform (kiosk, screenshots)
  libpulse0 libx11-6 libxext6 libxrandr2 libdrm2                  # QtMultimedia and its FFmpeg plugin (PySide6-Addons):
  libpipewire-0.3-0 libva2 libva-drm2 libva-x11-2                 #   the auditor's camera; Qt warns when these are missing
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.greencert-installed
# again when the packages or the compiled modules' source changed (pip install -e . compiles them in place)
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ] \
    || [ ledger_lite/_smt_native.c -nt "$stamp" ] || [ ledger/_state_codec.c -nt "$stamp" ] \
    || [ ledger_lite/_group_key.h -nt "$stamp" ]; then
  echo "Installing Python packages into .venv (log: .venv/pip.log)"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[dev]"; } \
      > .venv/pip.log 2>&1; then
    tail -n 30 .venv/pip.log >&2
    echo "pip install failed; the whole log is in .venv/pip.log" >&2
    exit 1
  fi
  touch "$stamp"
fi

case "$mode" in
  setup) echo "GreenCert is set up in $(pwd)/.venv" ;;
  demo)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " $* " != *" --headless "* ]]; then
      echo "No display: running the kiosk on a virtual screen (xvfb-run). Use --headless to serve the APIs only."
      exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/greencert demo "$@"
    fi
    exec .venv/bin/greencert demo "$@" ;;
  test)
    .venv/bin/ruff check .
    .venv/bin/lint-imports --no-cache --no-logo           # the package contracts of pyproject.toml
    .venv/bin/mypy ledger_lite ledger backend_client intermediary printing kiosk field greencert
    # Up to four worker processes, each taking whole test files (their module fixtures start servers once);
    # options given after "test" come later and win (say -n 0 for one process).
    exec .venv/bin/pytest -n auto --maxprocesses 4 --dist loadfile "$@" ;;
esac
