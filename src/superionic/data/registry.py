"""The data sets superionic knows: where they live, their checksums, origins, loaders, citations.

Every set is a folder of the data directory (``Settings.data_dir``: ``$SUPERIONIC_DATA``, default
``../shared/data``). Files copied verbatim from a public repository have an ``origin`` URL pinned
to the commit named in the set's SOURCE.md, from which :mod:`superionic.data.fetch` downloads them
and checks their sha256; files derived here (parsed or concatenated) name their upstream sources in
``derived_from`` instead.

:func:`list_sets` counts each set (rows, parsed, rejected); the counts are cached as JSON under the
cache directory keyed by the files' sha256 and mtimes and by the loaders' source code, so a repeat
``superionic data list`` reads no data file beyond hashing it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superionic.data import (
    base,
    esw_wang2024,
    ionnet,
    kang2023,
    laskowski,
    liverpool,
    mp_composition,
    mp_entries,
    obelix,
)
from superionic.data.base import LoadResult
from superionic.records import content_key

RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One file of a set: its name in the folder, sha256, and public origin (None if derived)."""

    name: str
    sha256: str
    origin: str | None = None
    derived_from: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A data set: its folder under the data directory, files, loader and terms of use.

    ``notes`` are the caveats a user must know (randomised positions, polymorph averaging, an
    undocumented file); ``units`` maps each record quantity to its unit.
    """

    name: str
    files: tuple[DataFile, ...]
    loader: Callable[[Path], LoadResult]
    citation: str
    licence: str
    description: str
    units: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    folder: str = ""

    def __post_init__(self) -> None:
        if not self.folder:
            object.__setattr__(self, "folder", self.name)

    def path(self, data_dir: Path) -> Path:
        """The set's folder under ``data_dir``."""
        return Path(data_dir) / self.folder


def _gh(repo: str, commit: str, path: str) -> str:
    return f"{RAW}/{repo}/{commit}/{path}"


_OBELIX = ("NRC-Mila/OBELiX", "4eaac889809dd489e3bae468c45d5c0e02b9147a")
_CHOONG = ("liyanant/multi_prop_pred_halide_SEs", "2b54a52b3b655b4e3c86852ba34413be34eb4a7d")
_IONNET = ("CodingWZL/IonNet", "a03b7c0226f31eef7020ffbe296104b7cb083ecd")
_CRABNET = ("anthony-wang/CrabNet", "457b4d4835737ecbe4dd33e53174bd818bd82143")


def _crabnet(folder: str, parts: tuple[str, ...]) -> str:
    urls = [_gh(*_CRABNET, f"{folder}/{p}.csv") for p in parts]
    return ("concatenation of " + " + ".join(urls)
            + " with pymatgen reduced_formula and contains_Li columns added, gzip-compressed")


DATASETS: dict[str, DatasetSpec] = {s.name: s for s in [
    DatasetSpec(
        "obelix",
        (DataFile("all.csv", "54f6265ef84d16a919d08c6815f14b0fd7465fa00090bee2511c16c042e57f3c",
                  _gh(*_OBELIX, "data/downloads/all.csv")),
         DataFile("train.csv", "01d87779862807e24bc45bb2c759852f892390b99f9340f13906c54805aa8776",
                  _gh(*_OBELIX, "data/downloads/train.csv")),
         DataFile("test.csv", "b2c266eb74e22f403743d52959bea7c43b1531a850994870a70dd909200e5297",
                  _gh(*_OBELIX, "data/downloads/test.csv")),
         DataFile(obelix.CIF_ARCHIVE,
                  "bfa2a3c92e3b8ca1b9859992e686c9e19f98924e7ff369c05db7006548217d49",
                  _gh(*_OBELIX, "data/downloads/all_cifs.tar.gz"))),
        obelix.load,
        "Therrien et al., OBELiX, arXiv:2502.14234 (2025)", "CC BY 4.0",
        "RT Li-ion conductivities with the official train/test split and CIFs",
        {"sigma_S_cm": "S/cm", "temperature_K": "K"},
        ("CIF atomic positions randomised by the publishers: lattice/symmetry features only, "
         "never MD (structures carry positions_randomised=True)",
         "<1E-10 and <1E-8 are censored upper bounds (censor='upper')")),
    DatasetSpec(
        "liverpool_ionics",
        (DataFile(liverpool.FILE, "d24ed972b88c3aba14194b6f9347fb3c8e8f9249b82fec22d961e709c1c06e5d",
                  _gh(*_OBELIX, "data/misc/LiIonDatabase.csv")),),
        liverpool.load,
        "Hargreaves et al., npj Comput. Mater. 9, 9 (2023) doi:10.1038/s41524-022-00951-z",
        "CC BY 4.0", "temperature-resolved Li-ion conductivities (file in C, records in K)",
        {"sigma_S_cm": "S/cm", "temperature_K": "K"},
        ("glass notations (A)x (B)y are converted to the composition they denote",)),
    DatasetSpec(
        "laskowski_2023",
        (DataFile(laskowski.RAW_FILE,
                  "606926c22779b71b82d98f833cfde8e31d540739decee3ff872f779902f75e61",
                  _gh(*_OBELIX, "data/misc/laskowski_semi-fromatted.csv")),
         DataFile("doi_lookup_table.csv",
                  "b890a2d06752613d2be77e3cf7562a14718b892c516d15d4c88686d9a122313d",
                  _gh(*_OBELIX, "data/misc/doi_lookup_table.csv")),
         DataFile(laskowski.FILE, "3ef38df8cc4b9cc0ccca4386a7b3010cbdcfe07e8ec35e764f2649c8a1397260",
                  derived_from=f"{laskowski.RAW_FILE} + doi_lookup_table.csv, parsed by the data "
                               "stager (see SOURCE.md)")),
        laskowski.load,
        "Laskowski et al., Energy Environ. Sci. 16, 1264 (2023) doi:10.1039/D2EE03499A",
        "CC BY 4.0 (via OBELiX)", "RT conductivities and activation energies",
        {"sigma_S_cm": "S/cm", "Ea_eV": "eV", "temperature_K": "K"},
        ("read from the derived laskowski_parsed.csv; raw_row= in provenance points at the raw "
         "file", "~690 rows have formulas split over lines and are rejected")),
    DatasetSpec(
        "kang2023_ic",
        (DataFile(kang2023.FILE, "5195df8cebd0721946d9643707362e8042d04dffd0b416e89f94fe632c9f5c38",
                  _gh(*_CHOONG, f"ionic_conductivity/datasets/{kang2023.FILE}")),),
        kang2023.load,
        "Kang, Kim & Min, J. Phys. Chem. C 127, 19335 (2023) doi:10.1021/acs.jpcc.3c02908",
        "MIT (repository)", "RT conductivities of Li and Na solid electrolytes with structure type",
        {"sigma_S_cm": "S/cm", "temperature_K": "K"},
        ("Li and Na rows: filter by mobile ion",)),
    DatasetSpec(
        "esw_wang2024",
        (DataFile(esw_wang2024.FILE,
                  "3d96fe36bd4525dadaab93daa65d27e566278973f0eac1ac908f835a65388a70",
                  _gh(*_CHOONG, f"ESW/datasets/{esw_wang2024.FILE}")),),
        esw_wang2024.load,
        "Wang et al., Adv. Funct. Mater. 2024, 2406146 doi:10.1002/adfm.202406146",
        "MIT (repository)", "reduction/oxidation potentials vs the working-ion metal",
        {"reduction_V": "V vs M/M+", "oxidation_V": "V vs M/M+"},
        ("working ion per row (Li/Na/K/Mg/Ca/Zn/Al) in the provenance note ion=",)),
    DatasetSpec(
        "ionnet",
        (DataFile(ionnet.MP_FILE, "1c8e0443485ffd4a9beaf5433a8ce6432fe2f2d5d499987eea2e3e47dab07634",
                  _gh(*_IONNET, f"data/{ionnet.MP_FILE}")),
         DataFile(ionnet.RT_FILE, "95130340d8ccfb15419672c8661d3afd83156cd96326ac448a1c361c84f4a4bb",
                  _gh(*_IONNET, f"data/{ionnet.RT_FILE}")),
         DataFile(ionnet.SIC_FILE, "9339e66636458001f368fefc62dc8cf165bb48cf0ef59bcb8c55dbafd2d5824f",
                  _gh(*_IONNET, f"data/{ionnet.SIC_FILE}"))),
        ionnet.load,
        "Wang & You, IonNet (2025); Materials Project (Jain et al. 2013)", "MIT",
        "MP Li candidates with e_hull and gap; 300 K experimental subset",
        {"e_above_hull_eV_per_atom": "eV/atom", "band_gap_eV": "eV", "sigma_S_cm": "S/cm",
         "temperature_K": "K"},
        (f"{ionnet.SIC_FILE}: UNDOCUMENTED SIC score, not loaded as a label",
         "MP list pre-filtered to e_hull <= 0.1 eV/atom and gap >= 0.5 eV")),
    DatasetSpec(
        "mp_matbench_composition",
        (DataFile("mp_e_form.csv.gz", "1ad99de0be0045689317e0d7a33de12e517488b4198ae81d167361b186c167b0",
                  derived_from=_crabnet("data/matbench_cv/mp_e_form", ("train0", "val0", "test0"))),
         DataFile("mp_gap.csv.gz", "64ba35d8fbf97dfa11cb52c48e188911a5cb86b97985e1bd26c0d385fd01d4d9",
                  derived_from=_crabnet("data/matbench_cv/mp_gap", ("train0", "val0", "test0"))),
         DataFile("mp_e_hull.csv.gz", "92081af654f5701da66959a42f6c4cc7b582a61163f7fe0247b48625cb118bd6",
                  derived_from=_crabnet("data/benchmark_data/mp_e_hull", ("train", "val", "test")))),
        mp_composition.load,
        "Wang et al. npj Comput. Mater. 7, 77 (2021); Dunn et al. npj Comput. Mater. 6, 138 (2020)",
        "MIT (CrabNet) / MP CC BY 4.0",
        "composition-level MP formation energy, band gap, e_hull",
        {"e_form_eV_per_atom": "eV/atom", "band_gap_eV": "eV", "e_above_hull_eV_per_atom": "eV/atom"},
        ("POLYMORPH-AVERAGED: one row per composition, not ground states",
         "MP ~2019 legacy corrections: never mix with MP2020 entries")),
    DatasetSpec(
        "mp_entries_fixture_CClKLiMnNaOY",
        (DataFile(mp_entries.FILE, "5d6d868974a78f753ef99ad163f47e255a188077a367a72e4a2427192a63bc90",
                  _gh("GENESIS-EFRC/y2mn2o7-selectivity", "d017ab632dd80a459a0adc130835e197dbe7f347",
                      mp_entries.FILE)),),
        mp_entries.load,
        "GENESIS EFRC y2mn2o7-selectivity (2021); Materials Project (Jain et al. 2013)",
        "no licence file; MP data CC BY 4.0 (test fixture)",
        "MP2020-corrected ComputedStructureEntries for phase diagrams / ESW",
        {"energy": "eV", "energy_per_atom": "eV/atom"},
        ("repository has no licence: a test fixture, not for redistribution in a release",)),
    DatasetSpec(
        "mp_elemental_refs",
        (DataFile(mp_entries.REFS_FILE, "9fd6ef848a91c88840a0d1709b5856d0edb4af22095237e59db52f2acd6bbf79",
                  _gh("janosh/matbench-discovery", "2c7f9fc42d018711dc2f5df573d225ea6d2d17b2",
                      f"data/mp/{mp_entries.REFS_FILE}")),),
        mp_entries.load_refs,
        "Riebesell et al., Matbench Discovery, arXiv:2308.14920", "MIT / MP CC BY 4.0",
        "MP elemental ground-state reference entries (2023-02-07)",
        {"energy": "eV", "energy_per_atom": "eV/atom"}),
]}


def get_spec(name: str) -> DatasetSpec:
    """The spec of set ``name``; KeyError listing the known sets."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None


def _data_dir(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    from superionic.config import default_data_dir

    return default_data_dir()


def missing_files(spec: DatasetSpec, data_dir: Path) -> list[str]:
    return [f.name for f in spec.files if not (spec.path(data_dir) / f.name).is_file()]


def is_present(spec: DatasetSpec, data_dir: Path) -> bool:
    """Whether every file of ``spec`` is in its folder under ``data_dir``."""
    return not missing_files(spec, data_dir)


def load_set(name: str, data_dir: str | Path | None = None) -> LoadResult:
    """Load one set; FileNotFoundError naming the folder and the missing files when absent."""
    spec = get_spec(name)
    root = _data_dir(data_dir)
    missing = missing_files(spec, root)
    if missing:
        raise FileNotFoundError(f"{spec.path(root)}: missing {missing}; "
                                f"run `superionic data fetch {name}`")
    return spec.loader(root)


_SHA_MEMO: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """sha256 hex digest of ``path`` (memoised per process by path, size and mtime)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _SHA_MEMO:
        from superionic.fileio import sha256_file

        _SHA_MEMO[key] = sha256_file(path)
    return _SHA_MEMO[key]


def loader_digest() -> str:
    """sha256 over the source of the loader modules: cached counts die with the code."""
    from superionic.fileio import code_digest

    return code_digest(base, esw_wang2024, ionnet, kang2023, laskowski, liverpool,
                       mp_composition, mp_entries, obelix, sys.modules[__name__])


def _file_state(spec: DatasetSpec, data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for f in spec.files:
        p = spec.path(data_dir) / f.name
        sha = file_sha256(p)
        out.append({"name": f.name, "sha256": sha, "sha256_ok": sha == f.sha256,
                    "mtime_ns": p.stat().st_mtime_ns, "origin": f.origin,
                    "derived_from": f.derived_from})
    return out


def summary(name: str, data_dir: str | Path | None = None, cache_dir: Path | None = None) -> dict:
    """The ``data list`` row of one set: name, rows, parsed, rejected, records, path, present,
    checksums_ok, files, citation, licence, units, notes.

    Counts are cached in ``cache_dir`` keyed by the files' sha256 and mtimes and the loader code.
    """
    spec = get_spec(name)
    root = _data_dir(data_dir)
    row: dict[str, Any] = {
        "name": name, "path": str(spec.path(root)), "present": is_present(spec, root),
        "description": spec.description, "citation": spec.citation, "licence": spec.licence,
        "units": spec.units, "notes": list(spec.notes), "files": [f.name for f in spec.files]}
    if not row["present"]:
        row.update(rows=0, parsed=0, rejected=0, records=0, warnings=0, checksums_ok=None,
                   missing=missing_files(spec, root))
        return row
    state = _file_state(spec, root)
    row["checksums_ok"] = all(f["sha256_ok"] for f in state)
    row["file_checksums"] = [{k: f[k] for k in ("name", "sha256", "sha256_ok")} for f in state]
    key = content_key([name, [(f["name"], f["sha256"], f["mtime_ns"]) for f in state],
                       loader_digest()])
    cached = cache_dir / f"data-summary-{key[:24]}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        row.update(json.loads(cached.read_text()))
        return row
    counts = load_set(name, root).counts()
    row.update(counts)
    if cached is not None:
        _write_json_atomic(cached, counts)
    return row


def list_sets(data_dir: str | Path | None = None, cache_dir: Path | None = None) -> list[dict]:
    """:func:`summary` of every registered set (data directory: ``default_data_dir()``)."""
    root = _data_dir(data_dir)
    return [summary(name, root, cache_dir) for name in DATASETS]


def _write_json_atomic(path: Path, payload: Any) -> None:
    from superionic.fileio import atomic_write_json

    atomic_write_json(path, payload, indent=None)
