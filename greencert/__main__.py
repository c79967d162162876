"""``python -m greencert``: the same as the ``greencert`` command (how ``consortium up`` starts its nodes)."""

import sys

from greencert.cli import main

sys.exit(main())
