"""Who a caseworker is and which queues are theirs: teams, local accounts (argon2 hashes) and the
single sign-on proxy's trusted headers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.vocabulary import (
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    Department,
    specialist_queue,
)

# The contact centre also classifies what triage left undetermined.
TEAM_QUEUES: dict[str, tuple[str, ...]] = {
    "contact-centre": (CONTACT_CENTRE_QUEUE, MANUAL_TRIAGE_QUEUE),
    "citizen-service": (CITIZEN_SERVICE_QUEUE,),
    **{f"specialists.{d.value}": (specialist_queue(d),) for d in Department},
}


class AccountProblem(ValueError):
    """An accounts file the desk cannot use; the message names the file and the entry."""


@dataclass(frozen=True)
class Caseworker:
    login: str
    name: str
    teams: tuple[str, ...]

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q for t in self.teams for q in TEAM_QUEUES.get(t, ())))

    def may_open(self, queue: str) -> bool:
        return queue in self.queues


def known_teams(teams: list[str] | tuple[str, ...], where: str) -> tuple[str, ...]:
    unknown = [t for t in teams if t not in TEAM_QUEUES]
    if unknown:
        raise AccountProblem(
            f"{where}: unknown team(s) {', '.join(unknown)}; the teams are {', '.join(TEAM_QUEUES)}"
        )
    return tuple(teams)


class LocalAccounts:
    """Accounts from a YAML file: login -> name, teams and an argon2 password hash."""

    def __init__(self, accounts: dict[str, tuple[Caseworker, str]]) -> None:
        self._accounts = accounts
        self._hasher = PasswordHasher()
        # Checking a login that does not exist costs as much as one that does.
        self._decoy = self._hasher.hash("no such account")

    @classmethod
    def load(cls, path: Path) -> LocalAccounts:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise AccountProblem(f"{path}: cannot be read: {error}") from error
        accounts = {}
        for login, entry in (data.get("accounts") or {}).items():
            where = f"{path}: account '{login}'"
            if not isinstance(entry, dict) or not entry.get("password"):
                raise AccountProblem(f"{where}: needs a password hash and teams")
            teams = known_teams(list(entry.get("teams") or []), where)
            person = Caseworker(str(login), str(entry.get("name") or login), teams)
            accounts[str(login)] = (person, str(entry["password"]))
        return cls(accounts)

    def sign_in(self, login: str, password: str) -> Caseworker | None:
        found = self._accounts.get(login.strip())
        try:
            self._hasher.verify(found[1] if found else self._decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        return found[0] if found else None

    def get(self, login: str) -> Caseworker | None:
        found = self._accounts.get(login)
        return found[0] if found else None


def from_trusted_headers(
    user: str | None, name: str | None, teams: str | None
) -> Caseworker | None:
    """The person the sign-on proxy vouches for; unknown team names are left out."""
    if not user:
        return None
    named = [t.strip() for t in (teams or "").split(",") if t.strip() in TEAM_QUEUES]
    return Caseworker(user, name or user, tuple(named))
