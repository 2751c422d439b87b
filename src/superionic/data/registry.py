"""The data sets superionic knows: where they live, their checksums, origins, loaders, citations.

Every set is a folder of the data directory (``Settings.data_dir``: ``$SUPERIONIC_DATA``, default
``../shared/data``). Files copied verbatim from a public repository have an ``origin`` URL pinned
to a commit, from which :mod:`superionic.data.fetch` downloads them; files derived here (parsed or
concatenated) list their upstream sources instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from superionic import __version__
from superionic.data import (
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
    name: str
    files: tuple[DataFile, ...]
    loader: Callable[[Path], LoadResult]
    citation: str
    licence: str
    description: str
    units: dict[str, str] = field(default_factory=dict)


def _gh(repo: str, commit: str, path: str) -> str:
    return f"{RAW}/{repo}/{commit}/{path}"


_OBELIX = ("NRC-Mila/OBELiX", "4eaac889809dd489e3bae468c45d5c0e02b9147a")
_CHOONG = ("liyanant/multi_prop_pred_halide_SEs", "2b54a52b3b655b4e3c86852ba34413be34eb4a7d")
_IONNET = ("CodingWZL/IonNet", "a03b7c0226f31eef7020ffbe296104b7cb083ecd")

DATASETS: dict[str, DatasetSpec] = {s.name: s for s in [
    DatasetSpec(
        "obelix",
        (DataFile("all.csv", "54f6265ef84d16a919d08c6815f14b0fd7465fa00090bee2511c16c042e57f3c",
                  _gh(*_OBELIX, "data/downloads/all.csv")),
         DataFile("train.csv", "01d87779862807e24bc45bb2c759852f892390b99f9340f13906c54805aa8776",
                  _gh(*_OBELIX, "data/downloads/train.csv")),
         DataFile("test.csv", "b2c266eb74e22f403743d52959bea7c43b1531a850994870a70dd909200e5297",
                  _gh(*_OBELIX, "data/downloads/test.csv")),
         DataFile("all_cifs.tar.gz", "bfa2a3c92e3b8ca1b9859992e686c9e19f98924e7ff369c05db7006548217d49",
                  _gh(*_OBELIX, "data/downloads/all_cifs.tar.gz"))),
        obelix.load,
        "Therrien et al., OBELiX, arXiv:2502.14234 (2025)", "CC BY 4.0",
        "RT Li-ion conductivities with official train/test split and CIFs (randomised positions)",
        {"sigma_S_cm": "S/cm", "temperature_K": "K"}),
    DatasetSpec(
        "liverpool_ionics",
        (DataFile("LiIonDatabase.csv", "d24ed972b88c3aba14194b6f9347fb3c8e8f9249b82fec22d961e709c1c06e5d",
                  _gh(*_OBELIX, "data/misc/LiIonDatabase.csv")),),
        liverpool.load,
        "Hargreaves et al., npj Comput. Mater. 9, 9 (2023) doi:10.1038/s41524-022-00951-z",
        "CC BY 4.0", "temperature-resolved Li-ion conductivities (C converted to K)",
        {"sigma_S_cm": "S/cm", "temperature_K": "K"}),
    DatasetSpec(
        "laskowski_2023",
        (DataFile("laskowski_semi-formatted.csv",
                  "606926c22779b71b82d98f833cfde8e31d540739decee3ff872f779902f75e61",
                  _gh(*_OBELIX, "data/misc/laskowski_semi-fromatted.csv")),
         DataFile("doi_lookup_table.csv", "b890a2d06752613d2be77e3cf7562a14718b892c516d15d4c88686d9a122313d",
                  _gh(*_OBELIX, "data/misc/doi_lookup_table.csv")),
         DataFile("laskowski_parsed.csv", "3ef38df8cc4b9cc0ccca4386a7b3010cbdcfe07e8ec35e764f2649c8a1397260",
                  derived_from="laskowski_semi-formatted.csv + doi_lookup_table.csv")),
        laskowski.load,
        "Laskowski et al., Energy Environ. Sci. 16, 1264 (2023) doi:10.1039/D2EE03499A",
        "CC BY 4.0 (via OBELiX)", "RT conductivities and activation energies",
        {"sigma_S_cm": "S/cm", "Ea_eV": "eV"}),
    DatasetSpec(
        "kang2023_ic",
        (DataFile("Ionic_conductivity_training_dataset.csv",
                  "5195df8cebd0721946d9643707362e8042d04dffd0b416e89f94fe632c9f5c38",
                  _gh(*_CHOONG, "ionic_conductivity/datasets/Ionic_conductivity_training_dataset.csv")),),
        kang2023.load,
        "Kang, Kim & Min, J. Phys. Chem. C 127, 19335 (2023) doi:10.1021/acs.jpcc.3c02908",
        "MIT (repository)", "RT conductivities of Li and Na solid electrolytes with structure type",
        {"sigma_S_cm": "S/cm"}),
    DatasetSpec(
        "esw_wang2024",
        (DataFile("ESW_training_dataset.csv", "3d96fe36bd4525dadaab93daa65d27e566278973f0eac1ac908f835a65388a70",
                  _gh(*_CHOONG, "ESW/datasets/ESW_training_dataset.csv")),),
        esw_wang2024.load,
        "Wang et al., Adv. Funct. Mater. 2024, 2406146 doi:10.1002/adfm.202406146",
        "MIT (repository)", "reduction/oxidation potentials vs the working-ion metal",
        {"reduction_V": "V vs M/M+", "oxidation_V": "V vs M/M+"}),
    DatasetSpec(
        "ionnet",
        (DataFile("Li-MP-final.csv", "1c8e0443485ffd4a9beaf5433a8ce6432fe2f2d5d499987eea2e3e47dab07634",
                  _gh(*_IONNET, "data/Li-MP-final.csv")),
         DataFile("LiIonDatabase-Experiments-300K.csv",
                  "95130340d8ccfb15419672c8661d3afd83156cd96326ac448a1c361c84f4a4bb",
                  _gh(*_IONNET, "data/LiIonDatabase-Experiments-300K.csv")),
         DataFile("Li-IonML-Computations.csv", "9339e66636458001f368fefc62dc8cf165bb48cf0ef59bcb8c55dbafd2d5824f",
                  _gh(*_IONNET, "data/Li-IonML-Computations.csv"))),
        ionnet.load,
        "Wang & You, IonNet (2025); Materials Project (Jain et al. 2013)", "MIT",
        "MP Li candidates with e_hull and gap; 300 K experimental subset",
        {"e_above_hull_eV_per_atom": "eV/atom", "band_gap_eV": "eV", "sigma_S_cm": "S/cm"}),
    DatasetSpec(
        "mp_matbench_composition",
        tuple(DataFile(f, h, derived_from=f"CrabNet@457b4d48 data/matbench_cv|benchmark_data ({f})")
              for f, h in (("mp_e_form.csv.gz", "1ad99de0be0045689317e0d7a33de12e517488b4198ae81d167361b186c167b0"),
                           ("mp_gap.csv.gz", "64ba35d8fbf97dfa11cb52c48e188911a5cb86b97985e1bd26c0d385fd01d4d9"),
                           ("mp_e_hull.csv.gz", "92081af654f5701da66959a42f6c4cc7b582a61163f7fe0247b48625cb118bd6"))),
        mp_composition.load,
        "Wang et al. npj Comput. Mater. 7, 77 (2021); Dunn et al. npj Comput. Mater. 6, 138 (2020)",
        "MIT (CrabNet) / MP CC BY 4.0",
        "composition-level MP formation energy, band gap, e_hull (polymorph-averaged)",
        {"e_form_eV_per_atom": "eV/atom", "band_gap_eV": "eV", "e_above_hull_eV_per_atom": "eV/atom"}),
    DatasetSpec(
        "mp_entries_fixture_CClKLiMnNaOY",
        (DataFile(mp_entries.FILE, "5d6d868974a78f753ef99ad163f47e255a188077a367a72e4a2427192a63bc90",
                  _gh("GENESIS-EFRC/y2mn2o7-selectivity", "d017ab632dd80a459a0adc130835e197dbe7f347",
                      mp_entries.FILE)),),
        mp_entries.load,
        "GENESIS EFRC y2mn2o7-selectivity (2021); Materials Project (Jain et al. 2013)",
        "no licence file; MP data CC BY 4.0 (test fixture)",
        "MP2020-corrected ComputedStructureEntries for phase diagrams / ESW",
        {"energy": "eV"}),
    DatasetSpec(
        "mp_elemental_refs",
        (DataFile(mp_entries.REFS_FILE, "9fd6ef848a91c88840a0d1709b5856d0edb4af22095237e59db52f2acd6bbf79",
                  _gh("janosh/matbench-discovery", "2c7f9fc42d018711dc2f5df573d225ea6d2d17b2",
                      f"data/mp/{mp_entries.REFS_FILE}")),),
        mp_entries.load_refs,
        "Riebesell et al., Matbench Discovery, arXiv:2308.14920", "MIT / MP CC BY 4.0",
        "MP elemental ground-state reference entries (2023-02-07)", {"energy": "eV"}),
]}


def get_spec(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None


def is_present(spec: DatasetSpec, data_dir: Path) -> bool:
    return all((data_dir / spec.name / f.name).is_file() for f in spec.files)


def load_set(name: str, data_dir: Path) -> LoadResult:
    """Load one set; FileNotFoundError naming the folder when it is absent."""
    spec = get_spec(name)
    if not is_present(spec, data_dir):
        missing = [f.name for f in spec.files if not (data_dir / spec.name / f.name).is_file()]
        raise FileNotFoundError(f"{data_dir / spec.name}: missing {missing}; "
                                f"run `superionic data fetch {name}`")
    return spec.loader(data_dir)


def _stamp(spec: DatasetSpec, data_dir: Path) -> list:
    return [[f.name, (data_dir / spec.name / f.name).stat().st_size,
             (data_dir / spec.name / f.name).stat().st_mtime_ns] for f in spec.files]


def summary(name: str, data_dir: Path, cache_dir: Path | None = None) -> dict:
    """The ``data list`` row of one set: name, rows, parsed, rejected, path, present, ...

    Counts are cached in ``cache_dir`` keyed by the files' sizes and modification times.
    """
    spec = get_spec(name)
    row = {"name": name, "path": str(data_dir / name), "present": is_present(spec, data_dir),
           "description": spec.description, "citation": spec.citation, "licence": spec.licence,
           "units": spec.units, "files": [f.name for f in spec.files]}
    if row["present"]:
        key = content_key([name, str(data_dir), _stamp(spec, data_dir), __version__])
        cached = cache_dir / f"data-summary-{key[:24]}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            row.update(json.loads(cached.read_text()))
            return row
        res = load_set(name, data_dir)
        counts = dict(rows=res.rows, parsed=res.parsed, rejected=len(res.rejected),
                      records=len(res.records))
        row.update(counts)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_text(json.dumps(counts))
            os.replace(tmp, cached)
    else:
        row.update(rows=0, parsed=0, rejected=0, records=0)
    return row
