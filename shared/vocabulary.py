"""The fixed vocabulary of the design contract: every service and test uses these exact strings."""

from enum import StrEnum


class Channel(StrEnum):
    """How an inquiry arrives."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    LETTER = "letter"
    IN_PERSON = "in_person"
    SELF_SERVICE = "self_service"


# The digital group of the channel-mix statistics.
DIGITAL_CHANNELS = frozenset({Channel.EMAIL, Channel.CHAT, Channel.SELF_SERVICE})


class Complexity(StrEnum):
    SIMPLE = "simple"
    SPECIALIST = "specialist"
    # The model was not confident enough: a person classifies it, it is never guessed.
    UNDETERMINED = "undetermined"


class Department(StrEnum):
    """The seven administrations."""

    OKF = "OKF"  # Finance: tax, payments, Citizen Service itself, business, elections
    KFF = "KFF"  # Culture and Leisure
    BUF = "BUF"  # Children and Youth
    SUF = "SUF"  # Health and Care
    SOF = "SOF"  # Social Services
    TMF = "TMF"  # Technical and Environmental
    BIF = "BIF"  # Employment and Integration


class ReplyChannel(StrEnum):
    """How the municipality answers."""

    SELF_SERVICE = "self_service"
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    DIGITAL_POST = "digital_post"
    LETTER = "letter"
    IN_PERSON = "in_person"


class Language(StrEnum):
    DA = "da"
    EN = "en"
    OTHER = "other"


class ContactOutcome(StrEnum):
    """How a phone call or a visit at Citizen Service ended; feeds first-contact resolution."""

    SETTLED_FIRST_CONTACT = "settled_first_contact"
    TRANSFERRED = "transferred"
    MESSAGE_TAKEN = "message_taken"
    APPOINTMENT_BOOKED = "appointment_booked"


class CaseworkerActionKind(StrEnum):
    CLAIM = "claim"
    RESOLVE = "resolve"
    REROUTE = "reroute"
    REPLY_SENT = "reply_sent"
    AWAITING_CITIZEN = "awaiting_citizen"
    CITIZEN_ANSWERED = "citizen_answered"


# Queue names; the Kafka topic of a queue is "queue." + name.
CONTACT_CENTRE_QUEUE = "contact-centre"
CITIZEN_SERVICE_QUEUE = "citizen-service"
MANUAL_TRIAGE_QUEUE = "manual-triage"


def specialist_queue(department: Department) -> str:
    return f"specialist.{department.value}"


ALL_QUEUES: tuple[str, ...] = (
    CONTACT_CENTRE_QUEUE,
    CITIZEN_SERVICE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    *(specialist_queue(d) for d in Department),
)
