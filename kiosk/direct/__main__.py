"""Operator tool for the direct mode's applicant database::

    python -m kiosk.direct enrol --db DIR/applicants.sqlite --applicant-id ID --user-name NAME \\
        (--key-file FILE | --generate) [--replace]
    python -m kiosk.direct list --db DIR/applicants.sqlite
    python -m kiosk.direct remove --db DIR/applicants.sqlite --applicant-id ID

``enrol`` asks for the password twice (or reads one line from stdin when it is not a terminal). ``--key-file``
holds the user key's 32-byte seed in hex (as ``greencert``'s key files do); ``--generate`` makes a new key and
prints its public key, to be registered on the ledger as a ``user`` named NAME before the applicant can issue.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kiosk.direct.applicants import ApplicantDB
from kiosk.direct.errors import EnrolmentError
from ledger_lite import KeyFormatError, SigningKey


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password for the applicant: ")
    if getpass.getpass("Repeat it: ") != first:
        raise EnrolmentError("the two passwords differ")
    return first


def _key(args: argparse.Namespace) -> SigningKey:
    if args.generate:
        key = SigningKey.generate()
        print(f"new user key: public key {key.public.hex()}, address {key.address} "
              f"(register it on the ledger as a user named {args.user_name!r})")
        return key
    try:
        return SigningKey.from_seed(bytes.fromhex(Path(args.key_file).read_text().strip()))
    except (OSError, ValueError, KeyFormatError) as exc:
        raise EnrolmentError(f"--key-file {args.key_file}: expected a 32-byte hex Ed25519 seed ({exc})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.direct", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    enrol = sub.add_parser("enrol", help="add (or with --replace change) an applicant")
    enrol.add_argument("--db", required=True)
    enrol.add_argument("--applicant-id", required=True)
    enrol.add_argument("--user-name", required=True, help="the name the ledger registry holds for the user key")
    source = enrol.add_mutually_exclusive_group(required=True)
    source.add_argument("--key-file", help="the user key's seed, hex")
    source.add_argument("--generate", action="store_true", help="make a new user key")
    enrol.add_argument("--replace", action="store_true")
    listing = sub.add_parser("list", help="the enrolled applicant IDs")
    listing.add_argument("--db", required=True)
    remove = sub.add_parser("remove", help="remove an applicant")
    remove.add_argument("--db", required=True)
    remove.add_argument("--applicant-id", required=True)
    args = parser.parse_args(argv)
    db = ApplicantDB(Path(args.db))
    try:
        if args.command == "enrol":
            db.enrol(args.applicant_id, _password(), args.user_name, _key(args), replace=args.replace)
            print(f"enrolled {args.applicant_id!r} in {db.path}")
        elif args.command == "list":
            print("\n".join(db.applicant_ids()))
        elif not db.remove(args.applicant_id):
            print(f"no applicant {args.applicant_id!r} in {db.path}", file=sys.stderr)
            return 1
    except EnrolmentError as exc:
        print(f"python -m kiosk.direct: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
