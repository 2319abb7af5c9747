"""Writes the committed interface documents: each service's AsyncAPI document (what it consumes
and publishes, with the schemas of shared/) under docs/asyncapi/, and the OpenAPI document of
intake's HTTP gateway under docs/openapi/. tests/deploy/test_documents.py compares them.

    .venv/bin/python -m services.documents          # rewrite them after a schema or topic change
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faststream.specification import AsyncAPI

from shared.service import ServiceProcess
from shared.settings import REPO_ROOT, ServiceSettings

DOCS = REPO_ROOT / "docs"
# Where the document says the broker is: the name the deployment artefacts give it.
DOCUMENTED_BROKER = "kafka:9092"


def _services() -> dict[str, tuple[type[ServiceSettings], Callable[[Any], ServiceProcess]]]:
    from services.intake.app import build_app as intake
    from services.intake.settings import IntakeSettings
    from services.metrics.app import build_app as metrics
    from services.metrics.settings import MetricsSettings
    from services.reply.app import build_app as reply
    from services.reply.settings import ReplySettings
    from services.triage.app import build_app as triage
    from services.triage.settings import TriageSettings

    return {
        "intake": (IntakeSettings, intake),
        "triage": (TriageSettings, triage),
        "reply": (ReplySettings, reply),
        "metrics": (MetricsSettings, metrics),
    }


def asyncapi(service: str) -> dict[str, Any]:
    """The service's AsyncAPI 3 document, as its /docs/asyncapi route serves it, without a prefix."""
    settings_type, build_app = _services()[service]
    settings = settings_type(
        kafka_bootstrap_servers=DOCUMENTED_BROKER, topic_prefix="", environment="development"
    )
    process = build_app(settings)
    specification = AsyncAPI(
        process.broker,
        title=f"Inquiry triage: {service}",
        version="1",
        description=" ".join((sys.modules[build_app.__module__].__doc__ or "").split()),
    )
    document: dict[str, Any] = json.loads(specification.to_specification().to_json())
    return document


def gateway_openapi() -> dict[str, Any]:
    from services.intake.openapi import openapi

    return openapi()


def documents() -> dict[Path, dict[str, Any]]:
    found = {DOCS / "asyncapi" / f"{name}.json": asyncapi(name) for name in _services()}
    found[DOCS / "openapi" / "intake-gateway.json"] = gateway_openapi()
    return found


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m services.documents",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ).parse_args(argv)
    for path, document in documents().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(document))
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
