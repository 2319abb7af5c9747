"""A real Prometheus (Debian's package) scrapes the four running services; every dashboard panel's
query and every alert expression is evaluated through its HTTP API and returns data.

An alert's expression filters: with no alarm it rightly returns nothing. So each alert is
evaluated twice: as written, which must succeed (Prometheus's own rule evaluation must report it
healthy too), and with every threshold comparison turned into a `bool` comparison, which keeps
every series as 0 or 1 instead of dropping it; that underlying expression must return data.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from services.metrics.settings import MetricsSettings
from shared.events import CaseworkerAction, InquiryTriaged
from shared.topics import CASEWORKER_ACTIONS, INQUIRIES_TRIAGED, raw_topic
from shared.vocabulary import CaseworkerActionKind, Channel
from tests.conftest import REPO, free_port
from tests.integration.conftest import Pipeline
from tests.integration.test_pipeline import raw_inquiry
from tests.prometheus_tools import GRAFANA_DIR, PROMETHEUS_DIR, promtool, tool

pytestmark = pytest.mark.kafka

# What Grafana puts in for its variables; ranges that cover this test's whole run.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "10m", "$__interval": "5s"}
SCRAPE_SECONDS = 1


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, expr: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        return dict(response.json())

    def results(self, expr: str) -> list[Any]:
        answer = self.query(expr)
        assert answer["status"] == "success", f"{expr}: {answer.get('error')}"
        return list(answer["data"]["result"])

    def wait_for_data(self, exprs: list[str], timeout: float = 60.0) -> list[str]:
        """Poll until every expression returns data; returns those that never did."""
        deadline = time.monotonic() + timeout
        waiting = list(exprs)
        while waiting and time.monotonic() < deadline:
            waiting = [e for e in waiting if not self.results(e)]
            if waiting:
                time.sleep(1)
        return waiting


def scrape_config(pipeline: Pipeline, rules: Path) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with the test pipeline's ports and a fast scrape."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = f"{SCRAPE_SECONDS}s"
    config["global"]["evaluation_interval"] = f"{SCRAPE_SECONDS}s"
    config["rule_files"] = [str(rules)]
    (job,) = config["scrape_configs"]
    for group in job["static_configs"]:
        group["targets"] = [f"127.0.0.1:{pipeline.ports[group['labels']['service']]}"]
    return config


@pytest.fixture(scope="module")
def prometheus(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prometheus]:
    home = tmp_path_factory.mktemp("prometheus")
    config = home / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(pipeline, PROMETHEUS_DIR / "alerts.yml")))
    port = free_port()
    log = (home / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            tool("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"prometheus exited: {(home / 'prometheus.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "prometheus not ready in 60 s"
            time.sleep(0.3)
        yield Prometheus(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads((GRAFANA_DIR / "dashboards" / "inquiry-triage.json").read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            queries.append((panel["title"], expr))
    return queries


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


# The brokers' own metrics come from Strimzi's JMX exporter (deploy/k8s), which the broker of the
# tests (Maven's jars) has not: these alerts are evaluated and healthy here, their firing is
# tested by promtool (deploy/prometheus/alerts.test.yml).
BROKER_EXPORTER_ALERTS = {"KafkaBrokerDown", "KafkaBrokersNotReporting", "KafkaOfflinePartitions"}


def underlying_expression(expr: str) -> str:
    """What an alert looks at: `absent(x)` looks at x, which must be there; a comparison is
    made a `bool` one."""
    if absent := re.fullmatch(r"\s*absent\((.*)\)\s*", expr, re.DOTALL):
        return absent.group(1)
    return without_threshold(expr)


def without_threshold(expr: str) -> str:
    """`a > 10` keeps only the series above 10; `a > bool 10` keeps all of them, as 0 or 1."""
    return re.sub(r"(==|!=|>=|<=|>|<)\s*(?=[0-9.])", r"\1 bool ", expr)


async def feed(pipeline: Pipeline) -> None:
    """One inquiry per channel, a call settled at first contact, an unreadable message and a
    caseworker's reply to one of the inquiries."""
    tags = {channel: f"{channel.value}-{uuid.uuid4().hex}" for channel in Channel}
    for channel, tag in tags.items():
        body, headers = raw_inquiry(channel, tag)
        await pipeline.publish(raw_topic(channel), body, headers=headers)
    settled = {
        "call_id": f"settled-{uuid.uuid4().hex}",
        "note": "Borger spurgte om åbningstider på biblioteket; svar givet i telefonen.",
        "outcome": "settled_first_contact",
    }
    await pipeline.publish(raw_topic(Channel.PHONE), json.dumps(settled).encode())
    await pipeline.publish(
        raw_topic(Channel.CHAT), b'{"session_id": "broken-' + uuid.uuid4().hex.encode()
    )

    marker = tags[Channel.EMAIL].encode()
    records = await pipeline.collect(
        [INQUIRIES_TRIAGED], until=lambda rs: any(marker in v for _, v in rs), timeout=60
    )
    triaged = next(InquiryTriaged.model_validate_json(v) for _, v in records if marker in v)
    action = CaseworkerAction.caused_by(
        triaged,
        producer="caseworker-tool",
        inquiry_id=triaged.inquiry_id,
        action=CaseworkerActionKind.REPLY_SENT,
        caseworker="cw-17",
        queue=triaged.decision.queue,
    )
    await pipeline.publish(CASEWORKER_ACTIONS, action.model_dump_json().encode())


@pytest.fixture(scope="module")
async def fed(pipeline: Pipeline, prometheus: Prometheus) -> Pipeline:
    """The pipeline fed while Prometheus scrapes it, so that rates see the counts grow."""
    all_four_up = 'count(up{job="inquiry-triage"} == 1) == 4'
    assert not await asyncio.to_thread(prometheus.wait_for_data, [all_four_up], 30)
    await feed(pipeline)
    assert await pipeline.metric_reaches("metrics", "caseworker_actions_total", 1) >= 1
    return pipeline


def test_every_dashboard_query_and_alert_expression_returns_data_from_prometheus(
    fed: Pipeline, prometheus: Prometheus
) -> None:

    queries = dashboard_queries()
    assert len(queries) >= 18
    empty = prometheus.wait_for_data([q for _, q in queries], 90)
    assert not empty, "dashboard queries without data:\n" + "\n".join(
        f"{title}: {q}" for title, q in queries if q in empty
    )

    rules = alert_rules()
    for rule in rules:
        assert prometheus.query(rule["expr"])["status"] == "success", rule["alert"]
    underlying = [
        underlying_expression(rule["expr"])
        for rule in rules
        if rule["alert"] not in BROKER_EXPORTER_ALERTS
    ]
    comparisons = [rule["expr"] for rule in rules if "absent(" not in rule["expr"]]
    assert all(" bool " in without_threshold(e) for e in comparisons)
    empty = prometheus.wait_for_data(underlying, 30)
    assert not empty, "alert expressions without data:\n" + "\n".join(empty)

    loaded = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    health = {r["name"]: (r["health"], r.get("lastError", "")) for g in loaded for r in g["rules"]}
    assert health == {rule["alert"]: ("ok", "") for rule in rules}


def test_each_services_metrics_pass_promtool_check_metrics(fed: Pipeline) -> None:
    published = {
        "intake": "inquiries.received",
        "triage": "inquiries.triaged",
        "reply": "replies.planned",
    }
    for service in ("intake", "triage", "reply", "metrics"):
        exposition = httpx.get(fed.url(service, "/metrics"), timeout=10).text
        assert "faststream_received_messages_total" in exposition or service == "intake"
        if service in published:
            counted = re.search(
                rf'^events_published_total{{topic="{published[service]}"}} (\S+)$',
                exposition,
                re.MULTILINE,
            )
            assert counted, f"{service}: no events_published_total"
            assert float(counted.group(1)) > 0, service
        result = promtool("check", "metrics", stdin=exposition)
        assert result.returncode == 0, f"{service}: {result.stdout}{result.stderr}"
        assert result.stdout + result.stderr == "", service


def test_report_of_the_fed_day_shows_the_pipelines_own_statistics(
    fed: Pipeline, tmp_path: Path
) -> None:
    today = datetime.now(ZoneInfo(MetricsSettings().timezone)).date().isoformat()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.metrics",
            "report",
            "--from",
            today,
            "--to",
            today,
            "--out",
            str(tmp_path),
        ],
        cwd=REPO,
        env=fed.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Two phone calls were fed: the first "phone" row is the channel mix's.
    phone = next(line.split() for line in result.stdout.splitlines() if line.startswith("phone "))
    assert int(phone[1].replace(",", "")) >= 2, result.stdout
    assert (tmp_path / f"inquiries_{today}_{today}.csv").read_text().count("\n") == 2
    assert (tmp_path / f"channel-mix_{today}_{today}.png").stat().st_size > 10_000
