"""The producers leave aiokafka's default partitioner in place: a key goes to the partition
Kafka's Java client gives it, so a thread's events stay on one partition whichever client sent
them."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

from shared.bus import PRODUCER_SETTINGS

# Kafka's own murmur2 test vectors (UtilsTest.testMurmur2 of its Java client), signed as Java has them.
JAVA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


def test_a_key_goes_where_kafkas_java_client_puts_it() -> None:
    assert "partitioner" not in PRODUCER_SETTINGS
    partitions = list(range(12))
    for key, java_hash in JAVA_MURMUR2.items():
        expected = (java_hash & 0x7FFFFFFF) % len(partitions)
        assert DefaultPartitioner()(key, partitions, partitions) == expected
