"""Direct mode (modification 2 of the seed, S401–S412): the kiosk without an intermediary.

The kiosk keeps its own applicant database, signs each issuance with the applicant's user key and talks to one
ledger node; its embedded light node checks the node's answers before anything is printed. Switch to it in the
staff settings ("Connection" → "Ledger node (direct)" and the node's URL), or start the kiosk with
``KioskConfig(backend="direct", node_url=...)``; ``greencert demo --mode direct`` does both for the demo.

What lives in the kiosk's config dir (``KioskConfig.config_dir``):

* ``applicants.sqlite`` — applicant ID, user name, ledger address, scrypt password hash, lock-out counters and
  the applicant's Ed25519 user key sealed with AES-256-GCM under a key derived from the password (scrypt, its
  own salt; random nonce). A wrong password never decrypts; an edited record is refused
  (``kiosk.direct.applicants``). Add applicants with ``enrol(...)`` or
  ``python -m kiosk.direct enrol --db <config_dir>/applicants.sqlite --applicant-id ID --user-name NAME
  (--key-file FILE | --generate)`` (asks for the password). Each user key must be registered on the ledger as a
  ``user`` whose registry name is the ``user_name`` given here (it is printed as the certificate's owner, and
  verifiers compare it with the registry).
* ``validators.json`` — the ledger's validator keys. **Trust on first use:** the first issuance fetches the chain
  id and the validators from the node's registry and pins them; afterwards a block counts as final only when a
  quorum of the pinned keys signed it, whatever the node says. The first answer is believed as it comes, so a
  site that cannot trust its network on that day installs the file from a trusted machine beforehand. The pin
  does not follow validator-set changes; after one, an operator replaces the file (``kiosk.direct.trust``).

What the light node checks (``kiosk.direct.backend``): the issuance transaction is in a block signed by a quorum
of the pinned validators, of the pinned chain, by its Merkle inclusion proof; and the certificate record, read
with a sparse-Merkle state proof against a final header, names this applicant's address, the selected assets
and the chosen institution and is not revoked. Only then is the QR payload signed (with the user key, which
the registry lists as a trusted issuer) and the PDF rendered and printed. The asset list itself is shown as
the node sends it: it only decides what is offered; the ledger's rules decide what may be certified (a user
key may certify only its own assets, never twice).
"""

from kiosk.direct.applicants import Applicant, ApplicantDB, enrol
from kiosk.direct.errors import (
    AuthenticationFailed,
    EnrolmentError,
    Error,
    LedgerUnverified,
    LockedOut,
    NodeUnreachable,
    RecordDamaged,
    TrustError,
)
from kiosk.direct.trust import PinnedTrust, TrustStore

__all__ = [
    "Applicant", "ApplicantDB", "AuthenticationFailed", "EnrolmentError", "Error", "LedgerUnverified", "LockedOut",
    "NodeUnreachable", "PinnedTrust", "RecordDamaged", "TrustError", "TrustStore", "enrol",
]
