"""Whose fault an exception is: the input's, when a parsing library (the standard library's
`email`, pypdf) fails inside itself on malformed bytes; ours, when it is raised in our code.

A refusal is for bad input; a bug of ours must surface (as a failure kept for replay, a 500,
a failing test), never be reported to a sender as something wrong with their message.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

_REPOSITORY = Path(__file__).resolve().parents[2]
_OUR_CODE = (_REPOSITORY / "services", _REPOSITORY / "shared")


def _path(filename: str) -> Path:
    return Path(filename).resolve()


def raised_inside(error: BaseException, library: ModuleType) -> bool:
    """Whether `error` was raised within `library`, called from our code: the frame just
    inside our innermost frame belongs to the library."""
    frames = [_path(f.filename) for f in traceback.extract_tb(error.__traceback__)]
    ours = [i for i, path in enumerate(frames) if any(path.is_relative_to(o) for o in _OUR_CODE)]
    if not ours or ours[-1] == len(frames) - 1:
        return False
    library_files = Path(library.__file__ or "").resolve().parent
    return frames[ours[-1] + 1].is_relative_to(library_files)


@contextmanager
def refused_when_failing_inside(
    library: ModuleType, refusal: Callable[[str], Exception], what: str
) -> Iterator[None]:
    """Within the block, an exception raised inside `library` becomes `refusal` ("`what` cannot
    be read (the exception's type)"); one raised in our code passes as it is."""
    try:
        yield
    except Exception as error:
        if not raised_inside(error, library):
            raise  # a bug of ours, not the sender's
        raise refusal(f"{what} cannot be read ({type(error).__name__})") from error
