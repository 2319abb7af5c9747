"""The monitoring configuration as Prometheus itself reads it: `promtool check config`,
`promtool check rules`, and the alert rules' own unit tests (`promtool test rules`)."""

from __future__ import annotations

import json

import yaml

from tests.prometheus_tools import GRAFANA_DIR, PROMETHEUS_DIR, promtool

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
    assert "SUCCESS: 6 rules found" in result.stdout


def test_alerts_fire_on_their_conditions_and_stay_quiet_otherwise() -> None:
    result = promtool("test", "rules", PROMETHEUS_DIR / "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_tells_the_operator_what_happened() -> None:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"][0]["rules"]
    assert {r["alert"] for r in rules} == {
        "ServiceDown",
        "DeadLetterSpike",
        "RepliesOverdue",
        "ConsumerLagGrowing",
        "AbstainRateDrifting",
        "SpecialistShareDrifting",
    }
    for rule in rules:
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}


def test_dashboard_panels_query_the_provisioned_prometheus() -> None:
    dashboard = json.loads((GRAFANA_DIR / "dashboards" / "inquiry-triage.json").read_text())
    datasource = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len(panels) >= 12
    for panel in panels:
        assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
        assert panel["targets"], panel["title"]
        assert all(t["expr"].strip() for t in panel["targets"]), panel["title"]
