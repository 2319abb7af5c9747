"""Which membership a batch is committed under: none while the consumer has no current one."""

from types import SimpleNamespace

from shared.member_commit import GroupMember, group_member


def consumer(generation: int, member_id: str, instance: str | None = None) -> SimpleNamespace:
    coordinator = SimpleNamespace(
        generation=generation, member_id=member_id, _group_instance_id=instance
    )
    return SimpleNamespace(_coordinator=coordinator)


def test_a_joined_consumer_commits_under_its_generation_and_member_id() -> None:
    assert group_member(consumer(4, "reply-1-abc")) == GroupMember(4, "reply-1-abc", None)
    assert group_member(consumer(2, "m", "reply-0")) == GroupMember(2, "m", "reply-0")


def test_a_consumer_between_memberships_has_none() -> None:
    """aiokafka resets generation and member id when the group drops the member: committing
    with those would skip the coordinator's check altogether."""
    assert group_member(consumer(-1, "")) is None
    assert group_member(consumer(3, "")) is None
    assert group_member(SimpleNamespace()) is None
