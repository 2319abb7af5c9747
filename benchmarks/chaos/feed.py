"""The chaos run's inquiries on their way in: most published to intake's raw topics as the
channel systems do, every `http_every`-th through intake's HTTP gateway, at a steady rate, each
counted as accepted only once Kafka or the gateway acknowledged it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaProducer

from benchmarks.inquiry_mix import Message
from shared.topics import TopicNames, raw_topic

# A gateway request is tried on every intake instance in turn while instances are being killed.
HTTP_ATTEMPTS = 20


@dataclass
class Fed:
    accepted: set[int] = field(default_factory=set)  # message numbers acknowledged
    refused: Counter[str] = field(default_factory=Counter)  # why others were not
    by_gateway: int = 0
    seconds: float = 0.0


async def _post(
    client: httpx.AsyncClient, gateways: Sequence[str], key: str, m: Message, fed: Fed
) -> None:
    headers = {"authorization": f"Bearer {key}", **{f"x-{k}": v.decode() for k, v in m.headers}}
    for attempt in range(HTTP_ATTEMPTS):
        url = f"{gateways[(m.number + attempt) % len(gateways)]}/v1/intake/{m.channel.value}"
        try:
            answer = await client.post(url, content=m.body, headers=headers)
        except httpx.HTTPError:
            await asyncio.sleep(0.5)  # that instance is down: the next one
            continue
        if answer.status_code == 202:
            fed.accepted.add(m.number)
            fed.by_gateway += 1
            return
        if answer.status_code != 503:
            fed.refused[f"gateway {answer.status_code}"] += 1
            return
        await asyncio.sleep(0.5)
    fed.refused["gateway unreachable"] += 1


async def feed(
    producer: AIOKafkaProducer,
    names: TopicNames,
    messages: Sequence[Message],
    *,
    rate: float,
    gateways: Sequence[str],
    gateway_key: str,
    http_every: int,
) -> Fed:
    fed = Fed()
    start = time.monotonic()
    sends: dict[int, asyncio.Future[object]] = {}
    posts: list[asyncio.Task[None]] = []
    limit = asyncio.Semaphore(16)

    async def post(client: httpx.AsyncClient, m: Message) -> None:
        async with limit:
            await _post(client, gateways, gateway_key, m, fed)

    async with httpx.AsyncClient(timeout=30) as client:
        for i, m in enumerate(messages):
            if (wait := start + i / rate - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if http_every and m.number % http_every == 0:
                posts.append(asyncio.create_task(post(client, m)))
            else:
                topic = names(raw_topic(m.channel))
                sends[m.number] = await producer.send(topic, m.body, headers=list(m.headers))
        await asyncio.gather(*posts)
    for number, future in sends.items():
        try:
            await future
        except Exception as error:  # not acknowledged: the channel system would send it again
            fed.refused[f"kafka {type(error).__name__}"] += 1
        else:
            fed.accepted.add(number)
    fed.seconds = time.monotonic() - start
    return fed
