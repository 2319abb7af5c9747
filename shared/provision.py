"""Sets up access on a secured broker: `python -m shared.provision credentials DIR` makes a
password for every principal of shared/access.py (kept once made) and the files that hand them
out; `python -m shared.provision acls` grants the ACLs, as the admin named by the KAFKA_*
variables, for the topic prefix in TOPIC_PREFIX. deploy/kafka/kafkactl runs both (SECURE=1).

In DIR (mode 700, files 600):
  passwords.json        every principal's password, the admin's and the controller's
  scram-credentials     `SCRAM-SHA-512=[name=...,password=...]` lines for the storage format
  clients/<name>.env    the KAFKA_* settings one principal's processes run with
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest, DescribeAclsRequest

from shared.access import ADMIN, CONTROLLER, Grant, grants, principals
from shared.kafka_security import client_options
from shared.settings import ServiceSettings

ALLOW = 3  # org.apache.kafka.common.acl.AclPermissionType.ALLOW
ANY = 1  # the filters' ANY of resource type, pattern type, operation and permission
APPLIED_TIMEOUT_S = 60.0


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    tmp.replace(path)


def client_env(name: str, password: str, ca_file: Path) -> str:
    return "".join(
        f"{key}={value}\n"
        for key, value in {
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_USERNAME": name,
            "KAFKA_PASSWORD": password,
            "KAFKA_CA_FILE": str(ca_file),
        }.items()
    )


def make_credentials(directory: Path) -> dict[str, str]:
    """Passwords for every principal, made once: a broker formatted with them keeps them."""
    store = directory / "passwords.json"
    passwords: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    for name in (ADMIN, CONTROLLER, *principals()):
        passwords.setdefault(name, secrets.token_urlsafe(24))
    _write_private(store, json.dumps(passwords, indent=2, sort_keys=True) + "\n")
    # The controller authenticates with PLAIN on its own listener (SCRAM lives in the metadata
    # the controllers replicate, so it cannot guard them).
    _write_private(
        directory / "scram-credentials",
        "".join(
            f"SCRAM-SHA-512=[name={name},password={password}]\n"
            for name, password in sorted(passwords.items())
            if name != CONTROLLER
        ),
    )
    ca_file = directory / "ca.pem"
    for name, password in passwords.items():
        if name != CONTROLLER:
            _write_private(
                directory / "clients" / f"{name}.env", client_env(name, password, ca_file)
            )
    return passwords


async def apply_acls(settings: ServiceSettings, rules: list[Grant]) -> int:
    """Grant every rule (creating an ACL that exists already is a no-op for Kafka) and wait
    until every broker enforces them; the number of brokers."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        await asyncio.gather(*(_grant(admin, rule) for rule in rules))
        return await _until_every_broker_applied(admin, rules)
    finally:
        await admin.close()


def _key(resource: int, name: str, pattern: int, principal: str, operation: int) -> tuple:
    return (resource, name, pattern, principal, operation)


async def _until_every_broker_applied(admin: AIOKafkaAdminClient, rules: list[Grant]) -> int:
    """The controller has the ACLs when CreateAcls answers; each broker applies them a moment
    later from the metadata log, and a service connecting to one that has not would be refused."""
    wanted = {
        _key(r.resource, r.name, r.pattern, f"User:{r.principal}", r.operation) for r in rules
    }
    nodes = [broker.nodeId for broker in admin._client.cluster.brokers()]
    deadline = asyncio.get_running_loop().time() + APPLIED_TIMEOUT_S
    for node in nodes:
        while not wanted <= await _acls_on(admin, node):
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"broker {node} has not applied the ACLs granted")
            await asyncio.sleep(0.2)
    return len(nodes)


async def _acls_on(admin: AIOKafkaAdminClient, node: int) -> set[tuple]:
    """Every ALLOW rule the broker `node` enforces."""
    request = DescribeAclsRequest(ANY, None, ANY, None, None, ANY, ANY)
    response = await admin._send_request(request, node_id=node)
    if response.error_code:
        raise RuntimeError(f"broker {node} would not list its ACLs: {response.error_message}")
    return {
        _key(resource, name, pattern, principal, operation)
        for resource, name, pattern, acls in response.resources
        for principal, _host, operation, permission in acls
        if permission == ALLOW
    }


async def _grant(admin: AIOKafkaAdminClient, rule: Grant) -> None:
    request = CreateAclsRequest(
        resource_type=rule.resource,
        resource_name=rule.name,
        resource_pattern_type_filter=rule.pattern,
        principal=f"User:{rule.principal}",
        host="*",
        operation=rule.operation,
        permission_type=ALLOW,
    )
    # aiokafka speaks CreateAcls but has no public method for it yet.
    response = await admin._send_request(request)
    for error_code, message in response.creation_responses:
        if error_code:
            raise RuntimeError(f"could not grant {rule}: error {error_code} {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.provision", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("credentials", help="make the principals' passwords and files")
    made.add_argument("directory", type=Path)
    shown = commands.add_parser("list", help="print the ACLs for TOPIC_PREFIX")
    shown.add_argument("--prefix", default=None)
    commands.add_parser("acls", help="grant the ACLs for TOPIC_PREFIX as the KAFKA_* admin")
    args = parser.parse_args(argv)
    if args.command == "credentials":
        passwords = make_credentials(args.directory)
        print(f"credentials for {len(passwords)} principals in {args.directory}")
        return 0
    settings = ServiceSettings()
    prefix = settings.topic_prefix if getattr(args, "prefix", None) is None else args.prefix
    rules = grants(prefix)
    if args.command == "list":
        print("\n".join(str(rule) for rule in rules))
        return 0
    brokers = asyncio.run(apply_acls(settings, rules))
    print(
        f"granted {len(rules)} ACLs to {len(principals())} principals (prefix {prefix!r}), "
        f"enforced by {brokers} broker(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
