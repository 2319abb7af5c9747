"""The benchmark's bus-only baselines on the real broker: every message gets through, and the
stand-ins for the services send what PIPELINE_TRAFFIC says the services send."""

from __future__ import annotations

import pytest

from benchmarks.bus_only import PIPELINE_TRAFFIC, bus_only_rate, pipeline_traffic_rate
from benchmarks.inquiry_mix import InquiryMix
from shared.topics import raw_topic
from shared.vocabulary import Channel

pytestmark = pytest.mark.kafka


async def test_two_hops_carry_every_message(kafka_bootstrap: str) -> None:
    # bus_only_rate returns only once all of them arrived at the far end.
    rate = await bus_only_rate(
        kafka_bootstrap, InquiryMix().messages(0, 300), hops=2, partitions=3, warm_up=50
    )
    assert rate > 0


async def test_the_stand_ins_carry_the_pipelines_traffic(kafka_bootstrap: str) -> None:
    messages = InquiryMix().messages(0, 400)
    done = await pipeline_traffic_rate(kafka_bootstrap, messages, partitions=3, warm_up=100)

    # What each topic should carry per raw message: each stand-in's sinks times what it read.
    wanted = {raw_topic(c): 0.0 for c in Channel}
    read_per_message = dict.fromkeys(wanted, 1.0 / len(wanted))
    for stand_in in PIPELINE_TRAFFIC:
        reads = sum(read_per_message.get(t, 0.0) for t in stand_in.sources)
        for topic, share in stand_in.sinks:
            wanted[topic] = wanted.get(topic, 0.0) + share * reads
            read_per_message[topic] = wanted[topic]
    carried = done["messages_per_inquiry"]
    assert sum(carried[raw_topic(c)] for c in Channel) == pytest.approx(1.0)
    for topic, share in wanted.items():
        if not topic.startswith("intake.raw."):
            # A share's count may differ by one message from its share of this run's messages.
            assert carried[topic] == pytest.approx(share, abs=1.5 / len(messages)), topic
    assert set(done["cpu_us_per_inquiry"]) >= {"intake", "triage", "reply", "metrics", "benchmark"}
    assert done["per_s"] > 0
