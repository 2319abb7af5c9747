"""The words of triage's reasons, in the caseworker's language: Danish by default (the
municipality works in Danish), English when asked. One template per reason and language;
`say` fills it in."""

from __future__ import annotations

from typing import Any

from shared.vocabulary import Language

REASON_LANGUAGES = (Language.DA, Language.EN)

_PHRASES: dict[str, tuple[str, str]] = {
    # The reply-channel rule (docs/design.md), rule by rule: (Danish, English).
    "rule": ("Regel {rule}: {reason}", "Rule {rule}: {reason}"),
    "preferred": (
        "Borgeren har bedt om svar via {channel}.",
        "The citizen asked to be answered by {channel}.",
    ),
    "written.exempt": (
        "Svaret er en afgørelse eller dokumentation, der skal gives skriftligt, og borgeren er "
        "fritaget for digital post: med brev.",
        "The answer is a decision that must be given in writing, and the citizen is exempt from "
        "digital post: by letter.",
    ),
    "written": (
        "Svaret er en afgørelse eller dokumentation, der skal gives skriftligt: med digital post.",
        "The answer is a decision that must be given in writing: by digital post.",
    ),
    "interpreter": (
        "Borgeren har brug for tolk: et personligt møde.",
        "The citizen needs an interpreter: a meeting in person.",
    ),
    "reading.phone": (
        "Borgeren har læsevanskeligheder, og vi har et telefonnummer: en opringning.",
        "The citizen has reading difficulties and we have a phone number: a phone call.",
    ),
    "reading.in_person": (
        "Borgeren har læsevanskeligheder og kan ikke ringes op: et personligt møde.",
        "The citizen has reading difficulties and cannot be phoned: a meeting in person.",
    ),
    "hearing.email": (
        "Borgeren er hørehæmmet: skriftligt via e-mail.",
        "The citizen is hearing impaired: in writing by e-mail.",
    ),
    "hearing.letter": (
        "Borgeren er hørehæmmet, og vi har ingen e-mailadresse: med brev.",
        "The citizen is hearing impaired and we have no e-mail address: by letter.",
    ),
    "hearing.in_person": (
        "Borgeren er hørehæmmet, og vi har ingen skriftlige kontaktoplysninger: personligt.",
        "The citizen is hearing impaired and we have no written contact details: in person.",
    ),
    "self_service": (
        "En enkel sag med en selvbetjeningsløsning, og borgeren {why}: vejled til "
        "selvbetjening ({url}).",
        "A simple matter with a self-service solution, and the citizen {why}: guide to "
        "self-service ({url}).",
    ),
    "ready.channel": ("skrev til os digitalt", "wrote to us digitally"),
    "ready.screening": (
        "har en pc og bruger netbank",
        "has a PC and uses online banking",
    ),
    "ready.text": ("skriver selv '{cue}'", "says '{cue}'"),
    "cheapest": (
        "{channel} er den billigste kanal, vi har kontaktoplysninger til{shift}.",
        "{channel} is the cheapest channel we have contact details for{shift}.",
    ),
    "shift": (" (henvendelsen kom via {channel})", " (it came by {channel})"),
    "same_conversation": (
        "Vi har ingen kontaktoplysninger: svaret gives i samme samtale ({channel}).",
        "We hold no contact details: the answer is given in the same conversation ({channel}).",
    ),
    # The rule's inputs as triage judged them.
    "input.written.yes": (
        "Skriftligt svar: ja ({p:.2f}), ordene peger på en afgørelse eller dokumentation.",
        "Written answer: yes ({p:.2f}), the words point to a decision or documentation.",
    ),
    "input.written.no": (
        "Skriftligt svar: nej ({p:.2f}), ordene peger på vejledning, ikke en afgørelse.",
        "Written answer: no ({p:.2f}), the words point to guidance, not a decision.",
    ),
    "input.written.unsure": (
        "Skriftligt svar: usikkert ({p:.2f}); regnes som skriftligt, den sikre side.",
        "Written answer: uncertain ({p:.2f}); taken as written, the safe side.",
    ),
    "input.self_service.yes": (
        "Selvbetjening: ja ({p:.2f}){service}.",
        "Self-service: yes ({p:.2f}){service}.",
    ),
    "input.self_service.service": (", '{name}' ({url})", ", '{name}' ({url})"),
    "input.self_service.no_link": (
        "Selvbetjening: sandsynligvis ({p:.2f}), men kataloget har intet link til sagen; "
        "en medarbejder svarer.",
        "Self-service: likely ({p:.2f}), but the catalogue has no link for the matter; a person "
        "answers.",
    ),
    "input.self_service.no": (
        "Selvbetjening: nej ({p:.2f}), sagen har ingen selvbetjeningsløsning.",
        "Self-service: no ({p:.2f}), the matter has no self-service solution.",
    ),
    "input.self_service.unsure": (
        "Selvbetjening: usikkert ({p:.2f}); en medarbejder svarer, den sikre side.",
        "Self-service: uncertain ({p:.2f}); a person answers, the safe side.",
    ),
    "input.ready.screening.yes": (
        "Digitalt parat: ja, efter screeningsspørgsmålene.",
        "Digitally ready: yes, by the screening questions.",
    ),
    "input.ready.screening.no": (
        "Digitalt parat: nej, efter screeningsspørgsmålene.",
        "Digitally ready: no, by the screening questions.",
    ),
    "input.ready.channel": (
        "Digitalt parat: ja, borgeren skrev via {channel}.",
        "Digitally ready: yes, the citizen wrote by {channel}.",
    ),
    "input.ready.text.yes": (
        "Digitalt parat: ja, borgeren skriver '{cue}'.",
        "Digitally ready: yes, the citizen says '{cue}'.",
    ),
    "input.ready.text.no": (
        "Digitalt parat: nej, borgeren skriver '{cue}'.",
        "Digitally ready: no, the citizen says '{cue}'.",
    ),
    "input.ready.unknown": (
        "Digitalt parat: ukendt (ingen screening, kom ikke digitalt); regnes som nej, den sikre "
        "side.",
        "Digitally ready: unknown (no screening, did not come digitally); taken as no, the safe "
        "side.",
    ),
    # Complexity and department, as the model found them.
    "simple": ("enkel sag", "simple matter"),
    "specialist": ("specialistsag", "specialist matter"),
    "matter": ("En {matter} ({p:.2f}).{words}", "A {matter} ({p:.2f}).{words}"),
    "matter.unsure": (
        "Ikke sikker nok til at afgøre: sikkerheden {confidence:.2f} er under tærsklen "
        "{threshold:.2f}; modellen hældede til {matter} ({p:.2f}).{words}",
        "Not sure enough to decide: confidence {confidence:.2f} is below the threshold "
        "{threshold:.2f}; the model leaned to {complexity} ({p:.2f}).{words}",
    ),
    "matter.words": (" Ordene {terms} vejer tungest.", " The words {terms} weigh most for it."),
    "matter.service": (
        " Katalogets '{name}' hører til en {matter} ({kind}).",
        " The catalogue's '{name}' is a {complexity} service ({kind}).",
    ),
    "matter.closest": (
        " Nærmest i ordlyd blandt forvaltningens ydelser til en {matter}: '{name}' ({kind}).",
        " Closest in wording among the department's {complexity} services: '{name}' ({kind}).",
    ),
    "department": ("{code} ({name}, {p:.2f})", "{code} ({name}, {p:.2f})"),
    "department.words": (": ordene {terms} peger derhen", ": the words {terms} point to it"),
    "department.service": (
        "; kataloget matcher '{name}' på {terms}",
        "; the catalogue matches '{name}' by {terms}",
    ),
    "keywords.none": (
        "Ingen ydelse i kataloget matcher teksten.",
        "No service of the catalogue matches the text.",
    ),
    "keywords.no_department": (
        "Ingen forvaltnings sag genkendt; Borgerservice (OKF).",
        "No department's matter recognised; Citizen Service (OKF).",
    ),
    "keywords.weak": (
        "Matcher '{name}' kun svagt ({confidence:.2f}) på {terms}.",
        "Matched '{name}' only weakly ({confidence:.2f}) by {terms}.",
    ),
    "keywords.cues": (
        "Tegn på en specialistsag: {cues}.",
        "Signals of a specialist matter: {cues}.",
    ),
    "keywords.service": (
        "'{name}' hører til en {matter} ({kind}).",
        "'{name}' is a {complexity} service ({kind}).",
    ),
    "keywords.department": (
        "Katalogets '{name}' matcher på {terms}.",
        "Catalogue match '{name}' by {terms}.",
    ),
    # Routing.
    "queue.manual": (
        "Ikke sikker nok til at klassificere: en medarbejder visiterer den i manual-triage.",
        "Not confident enough to classify: a person triages it in manual-triage.",
    ),
    "queue.specialist": (
        "En specialistsag går direkte til forvaltningens fagperson ({queue}).",
        "A specialist matter goes straight to the department's expert ({queue}).",
    ),
    "queue.simple": (
        "En enkel sag, der kom via {channel}, afklares af {queue}.",
        "A simple matter that came by {channel} is settled by {queue}.",
    ),
}


DEPARTMENT_NAMES: dict[str, tuple[str, str]] = {
    "OKF": ("Økonomiforvaltningen", "Finance"),
    "KFF": ("Kultur- og Fritidsforvaltningen", "Culture and Leisure"),
    "BUF": ("Børne- og Ungdomsforvaltningen", "Children and Youth"),
    "SUF": ("Sundhedsforvaltningen", "Health and Care"),
    "SOF": ("Socialforvaltningen", "Social Services"),
    "TMF": ("Teknik- og Miljøforvaltningen", "Technical and Environmental"),
    "BIF": ("Beskæftigelses- og Integrationsforvaltningen", "Employment and Integration"),
}


def department_name(code: str, language: Language) -> str:
    danish, english = DEPARTMENT_NAMES[code]
    return english if language is Language.EN else danish


# Each language's templates: Danish unless English is asked for.
_WORDING: dict[Language, dict[str, str]] = {
    language: {
        key: english if language is Language.EN else danish
        for key, (danish, english) in _PHRASES.items()
    }
    for language in Language
}


def say(key: str, language: Language, **values: Any) -> str:
    # `format_map` reads the values where they are; `format(**values)` would copy them again
    # (docs/triage.md has what that cost).
    return _WORDING[language][key].format_map(values)
