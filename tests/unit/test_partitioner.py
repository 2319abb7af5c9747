"""The producers' partitioner picks the partition Kafka's default partitioner picks."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from shared.bus import PRODUCER_SETTINGS, kafka_partition, murmur2


@given(st.binary(max_size=300))
def test_murmur2_is_kafkas(key: bytes) -> None:
    assert murmur2(key) == aiokafka_murmur2(key)


def test_murmur2_of_every_length_of_a_key() -> None:
    key = "email:<CAF=2jq@mail.example.dk>/æøå".encode()
    for end in range(len(key) + 1):
        assert murmur2(key[:end]) == aiokafka_murmur2(key[:end])


@given(st.binary(min_size=1, max_size=80), st.integers(min_value=1, max_value=64))
def test_a_key_goes_where_the_default_partitioner_puts_it(key: bytes, partitions: int) -> None:
    every = list(range(partitions))
    assert kafka_partition(key, every, every) == DefaultPartitioner()(key, every, every)


def test_no_key_goes_to_an_available_partition() -> None:
    assert kafka_partition(None, [0, 1, 2], [2]) == 2
    assert kafka_partition(None, [0, 1, 2], []) in (0, 1, 2)


def test_every_producer_uses_it() -> None:
    assert PRODUCER_SETTINGS["partitioner"] is kafka_partition
