"""`python -m privacy find|erase`: a citizen's data across the services' stores, for the data
protection officer. The CPR number is asked for without echo (or given as --citizen-key); the
output says how much was found or erased, never what.

  python -m privacy find [--citizen-key KEY]
  python -m privacy erase --by NAME --reference CASE [--citizen-key KEY]
  python -m privacy log [--citizen-key KEY]       the erasures recorded for the citizen
"""

from __future__ import annotations

import argparse
import getpass
import sys

from privacy.erasure import Stores, bus_expiry, erase, find, key_of_cpr
from privacy.store import ErasureLog
from services.intake.settings import IntakeSettings
from shared.settings import ServiceSettings


def _citizen_key(given: str | None) -> str:
    if given:
        return given
    cpr = getpass.getpass("CPR number (not shown): ")
    return key_of_cpr(cpr, IntakeSettings().cpr_salt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m privacy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("find", "how much is stored of a citizen"),
        ("erase", "erase a citizen's inquiries from every store"),
        ("log", "the erasures recorded for a citizen"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--citizen-key", help="instead of asking for the CPR number")
        if name == "erase":
            command.add_argument("--by", required=True, help="who erases (the DPO's name)")
            command.add_argument("--reference", required=True, help="the request's case number")
    args = parser.parse_args(argv)
    try:
        key = _citizen_key(args.citizen_key)
    except ValueError as error:
        print(f"python -m privacy: {error}", file=sys.stderr)
        return 2
    stores = Stores.from_environment()
    try:
        if args.command == "find":
            found = find(stores, key)
            print(
                f"citizen {key}: {len(found.inquiry_ids)} inquiries "
                f"({found.open_plans} with an open reply plan), "
                f"{len(found.attachments)} attachments"
            )
        elif args.command == "erase":
            record = erase(stores, key, requested_by=args.by, reference=args.reference)
            rows = ", ".join(f"{n} {store}" for store, n in record.rows.items())
            print(f"erasure {record.erasure_id} recorded: {record.inquiries} inquiries; {rows}")
            print(
                "copies on the bus expire by "
                f"{bus_expiry(ServiceSettings(), record.erased_at):%Y-%m-%d %H:%M} UTC"
            )
        else:
            for record in ErasureLog(stores.log).of_citizen(key):
                print(
                    f"{record.erased_at:%Y-%m-%d %H:%M} {record.erasure_id} by "
                    f"{record.requested_by} ({record.reference}): {record.inquiries} inquiries"
                )
    finally:
        stores.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
