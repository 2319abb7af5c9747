"""The reasons' words of given feature rows, found in a process of its own, so that the process
can run with other settings (tests/unit/triage/test_inference.py switches numpy's vector
instructions off for it and compares).

    python -m tests.unit.triage.words_elsewhere FOLDER

FOLDER holds `rows.npz` (the rows of `x`, the chosen complexities and departments) and
`inquiries.jsonl`; the words go to standard output as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from services.triage.catalogue import Catalogue
from services.triage.classifier import ModelClassifier
from services.triage.settings import TriageSettings
from shared.events import Inquiry


def main(folder: Path) -> None:
    rows = np.load(folder / "rows.npz")
    x = sp.csr_matrix(
        (rows["data"], rows["indices"], rows["indptr"]), shape=tuple(rows["shape"].tolist())
    )
    lines = (folder / "inquiries.jsonl").read_text(encoding="utf-8").splitlines()
    inquiries = [Inquiry.model_validate_json(line) for line in lines]
    settings = TriageSettings()
    classifier = ModelClassifier.load(
        settings.model_path, Catalogue.from_file(settings.catalogue_path)
    )
    words = classifier.weighed_words(inquiries, x, rows["complexities"], rows["departments"])
    print(json.dumps(words))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
