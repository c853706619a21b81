"""Where `hindsight demo` finds the NASA LLIS corpus when no `--path` is given.

The corpus (8.5 MB) does not ship in the wheel: systems that install Hindsight for its typed
client should not carry it. It lies in the project's shared folder, beside the checkout, so a
checkout, an editable install and a plain `pip install <checkout>` all find it there; pip
records that checkout in the installed distribution's `direct_url.json` (PEP 610).
"""

import json
from importlib.metadata import distributions
from pathlib import Path
from urllib.parse import unquote, urlparse

FILE_NAME = "nasa_llis.jsonl"
# Relative to a checkout (or to the folder a command runs in).
BESIDE_A_CHECKOUT = Path("../shared/data") / FILE_NAME


def _installed_from() -> Path | None:
    """The local folder pip installed Hindsight from, if it was one."""
    # Every distribution of the name: in a checkout, a build's hindsight.egg-info (which has
    # no direct_url.json) may be found before the installed one.
    texts = (d.read_text("direct_url.json") for d in distributions(name="hindsight"))
    text = next((t for t in texts if t), None)
    if text is None:
        return None
    try:
        url = urlparse(json.loads(text).get("url", ""))
    except (ValueError, AttributeError):
        return None
    if url.scheme != "file":
        return None
    source = Path(unquote(url.path))
    return source if source.is_dir() else source.parent


def candidates(cwd: Path | None = None) -> list[Path]:
    """Places to look, in order: this folder, then beside the checkout Hindsight came from."""
    here = cwd or Path.cwd()
    places = [here / FILE_NAME, here / "data" / FILE_NAME, here / BESIDE_A_CHECKOUT]
    source = _installed_from()
    if source is not None:
        places += [source / BESIDE_A_CHECKOUT, source / FILE_NAME]
    unique: list[Path] = []
    for place in places:
        resolved = place.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def find(cwd: Path | None = None) -> Path | None:
    return next((place for place in candidates(cwd) if place.is_file()), None)
