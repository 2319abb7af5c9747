"""The monitoring configuration as Prometheus itself reads it: `promtool check config`,
`promtool check rules`, and the alert rules' own unit tests (`promtool test rules`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO
from tests.prometheus_tools import GRAFANA_DIR, PROMETHEUS_DIR, promtool

OPERATIONS_ALERTS = (
    "GatewayServerErrors",
    "EmailRepliesFailing",
    "ConsumerLagNotReported",
    "KafkaBrokerDown",
    "KafkaBrokersNotReporting",
    "KafkaOfflinePartitions",
)
SERVICE_PORTS = {"intake": 9101, "triage": 9102, "reply": 9103, "metrics": 9104}


def test_scrape_config_is_valid_and_names_the_four_services_on_their_ports() -> None:
    result = promtool("check", "config", PROMETHEUS_DIR / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    targets = {g["labels"]["service"]: g["targets"] for g in job["static_configs"]}
    assert targets == {s: [f"127.0.0.1:{p}"] for s, p in SERVICE_PORTS.items()}


def test_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", PROMETHEUS_DIR / "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 12 rules found" in result.stdout


def test_alerts_fire_on_their_conditions_and_stay_quiet_otherwise() -> None:
    result = promtool("test", "rules", PROMETHEUS_DIR / "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_every_alert_tells_the_operator_what_happened() -> None:
    rules = alert_rules()
    assert {r["alert"] for r in rules} == {
        "ServiceDown",
        "DeadLetterSpike",
        "RepliesOverdue",
        "ConsumerLagGrowing",
        "AbstainRateDrifting",
        "SpecialistShareDrifting",
        *OPERATIONS_ALERTS,
    }
    for rule in rules:
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}


def test_every_operations_alert_has_a_runbook() -> None:
    rules = {r["alert"]: r for r in alert_rules()}
    for name in OPERATIONS_ALERTS:
        runbook = REPO / rules[name]["annotations"]["runbook_url"]
        assert runbook.is_file(), f"{name}: {runbook} is missing"
        assert name in runbook.read_text(), f"{runbook.name} does not name {name}"


def dashboard() -> dict[str, Any]:
    return json.loads((GRAFANA_DIR / "dashboards" / "inquiry-triage.json").read_text())


def test_dashboard_panels_query_the_data_source_of_its_variable() -> None:
    board = dashboard()
    (variable,) = board["templating"]["list"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    # Provisioned Grafana picks the provisioned Prometheus by default.
    datasource = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]
    assert variable["current"]["value"] == datasource["uid"]
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert len(panels) >= 12
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])
        assert all(t["expr"].strip() for t in panel["targets"]), panel["title"]


def test_dashboard_shows_queues_gateway_smtp_and_email_failures() -> None:
    queries = " ".join(
        t["expr"] for p in dashboard()["panels"] if p["type"] != "row" for t in p["targets"]
    )
    for metric in (
        "reply_queue_backlog",
        "reply_queue_oldest_age_seconds",
        "intake_gateway_requests_total",
        "intake_smtp_messages_total",
        "reply_emails_failed_total",
    ):
        assert metric in queries, metric


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool reads each panel's query as a recording rule, Grafana's variables filled in."""
    exprs = [
        t["expr"].replace("$__rate_interval", "5m").replace("$__range", "1h")
        for p in dashboard()["panels"]
        if p["type"] != "row"
        for t in p["targets"]
    ]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"panel:query_{i}", "expr": e} for i, e in enumerate(exprs)],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    result = promtool("check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
