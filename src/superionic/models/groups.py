"""Leakage groups: rows that share a reduced composition or a chemical family stay together.

The family of a row is the data set's family label, normalised (case, plurals, a few typos and
``-like`` suffixes merged: ``"perovskites"`` = ``"Perovskite"``, ``"garnet-like"`` = ``"garnet"``,
``"cholorides"`` = ``"chloride"``). Where no label exists the family falls back to a chemistry key:
the mobile ion plus the sorted set of anion-forming elements present (``"Li|O"``, ``"Li|Cl-S"``),
which keeps, e.g., all unlabelled argyrodite-like Li-P-S-Cl rows together.

Groups are the connected components of the graph "same reduced composition OR same family", so a
composition reported under two family names joins both families into one group. A group K-fold
over these components puts no composition and no family on both sides of any split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

#: Elements treated as anions for the fallback chemistry key.
ANION_ELEMENTS = ("N", "O", "F", "S", "Cl", "Se", "Br", "Te", "I", "H")

_TYPOS = {"cholorides": "chloride", "cholride": "chloride", "perovksite": "perovskite"}


def normalize_family(label: str | None) -> str | None:
    """Canonical family label (lower case, singular, ``-like``/``-type`` dropped) or None."""
    if label is None:
        return None
    text = str(label).strip().lower()
    if not text or text in ("nan", "none", "unknown", "other", "others"):
        return None
    text = _TYPOS.get(text, text)
    text = re.sub(r"[-\s](like|type|based)$", "", text)
    text = re.sub(r"\s+", " ", text)
    if text.endswith("ies"):
        text = text[:-3] + "y"
    elif text.endswith("s") and not text.endswith(("ss", "us", "is")):
        text = text[:-1]
    return _TYPOS.get(text, text)


def chemistry_key(formula: str, mobile_ion: str = "Li") -> str:
    """Fallback family key: mobile ion | sorted anion elements (``"Li|Cl-S"``) of ``formula``."""
    from pymatgen.core import Composition

    try:
        elements = {el.symbol for el in Composition(formula).elements}
    except (ValueError, KeyError, TypeError):
        return f"unparsed:{formula}"
    anions = sorted(elements.intersection(ANION_ELEMENTS))
    return f"{mobile_ion}|{'-'.join(anions) or 'none'}"


def family_keys(formulas: Sequence[str], families: Sequence[str | None] | None = None,
                mobile_ion: str = "Li") -> list[str]:
    """Per-row family key: the normalised label where given; for an unlabelled row the label
    another row of the same composition carries (the first, alphabetically), else the
    chemistry key.

    Inheriting the label matters: a composition reported once as NASICON and once without a
    label would otherwise tie the NASICON family to the chemistry key ``Li|O``, and through
    another such row to the garnets, merging the two largest families (and every unlabelled
    oxide) into one leakage group of 42 % of OBELiX.
    """
    fams = list(families) if families is not None else [None] * len(formulas)
    if len(fams) != len(formulas):
        raise ValueError(f"{len(fams)} families for {len(formulas)} formulas")
    norms = [normalize_family(f) if isinstance(f, str) else None for f in fams]
    label_of: dict[str, str] = {}
    for formula, norm in zip(formulas, norms, strict=True):
        if norm and (formula not in label_of or norm < label_of[formula]):
            label_of[formula] = norm
    keys = []
    for formula, norm in zip(formulas, norms, strict=True):
        norm = norm or label_of.get(formula)
        keys.append(f"family:{norm}" if norm else f"chem:{chemistry_key(formula, mobile_ion)}")
    return keys


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def connected_groups(keys: Sequence[Sequence[str]]) -> np.ndarray:
    """Integer group id per row: connected components of rows sharing any key."""
    n = len(keys)
    parent = list(range(n))
    first_seen: dict[str, int] = {}
    for i, row_keys in enumerate(keys):
        for key in row_keys:
            j = first_seen.setdefault(key, i)
            ri, rj = _find(parent, i), _find(parent, j)
            if ri != rj:
                parent[ri] = rj
    roots = [_find(parent, i) for i in range(n)]
    _, ids = np.unique(np.asarray(roots, dtype=int), return_inverse=True)
    return ids.astype(int)


def leakage_groups(formulas: Sequence[str], families: Sequence[str | None] | None = None,
                   mobile_ion: str = "Li") -> np.ndarray:
    """Integer group id per row: connected components of shared composition or family key."""
    fam = family_keys(formulas, families, mobile_ion)
    return connected_groups([(f"comp:{f}", k) for f, k in zip(formulas, fam, strict=True)])


def source_groups(formulas: Sequence[str], sources: Sequence[str | None] | None) -> np.ndarray:
    """Connected components of shared composition or shared source DOI: the grouping behind
    the OBELiX official split (Therrien et al. 2025, ``data/scripts/train_test_split.py``)."""
    src = list(sources) if sources is not None else [None] * len(formulas)
    keys = []
    for formula, text in zip(formulas, src, strict=True):
        keys.append([f"comp:{formula}", *(f"doi:{d}" for d in sorted(dois(text)))])
    return connected_groups(keys)


def dois(text: object) -> set[str]:
    """Lower-cased DOIs in a source string (separated by ``;``, ``|``, ``,`` or whitespace)."""
    if not isinstance(text, str):
        return set()
    out = set()
    for part in re.split(r"[;|,\s]+", text):
        part = part.strip().lower()
        for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
            if part.startswith(prefix):
                part = part[len(prefix):]
        if part.startswith("10."):
            out.add(part)
    return out


#: How CV+ calibration folds are grouped: by reduced composition, by composition or source
#: paper (the OBELiX split's rule), by leakage group (composition + family) or not at all.
CALIBRATION_GROUPINGS = ("source", "composition", "family", "none")


def calibration_groups(formulas: Sequence[str], families: Sequence[str | None] | None = None,
                       grouping: str = "source", mobile_ion: str = "Li",
                       sources: Sequence[str | None] | None = None) -> np.ndarray | None:
    """Group ids for CV+ calibration folds (None for ``"none"``: plain shuffled K-fold).

    Calibrate for the novelty the model will meet: ``"source"`` for new compositions from new
    papers (OBELiX-like), ``"family"`` for unseen chemical families, ``"none"`` for random rows.
    """
    if grouping == "none":
        return None
    if grouping == "composition":
        return connected_groups([(f"comp:{f}",) for f in formulas])
    if grouping == "source":
        return source_groups(formulas, sources)
    if grouping == "family":
        return leakage_groups(formulas, families, mobile_ion)
    raise ValueError(f"calibration grouping must be one of {CALIBRATION_GROUPINGS}, "
                     f"got {grouping!r}")
