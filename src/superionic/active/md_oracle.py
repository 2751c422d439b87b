"""The MD oracle: label a candidate by molecular dynamics (sigma at 300 K and Ea).

Per candidate the oracle runs the one MD workflow, :class:`superionic.md.workflow.
ArrheniusProtocol` (cell preparation, temperatures, convergence of D, significance and melt
checks, Arrhenius fit, verdict), in ``<workdir>/<id>``. A candidate is labelled only when the
verdict is "arrhenius": the label is log10(sigma(300 K) / S cm^-1) from the sigma*T fit; any
other verdict ("inconclusive", "no diffusion", "molten") is a failure with the verdict's reasons,
never a number. The Ea, the per-temperature numbers and the run folders go to
:attr:`MDOracle.details` and from there into the stored round.

Layering. active/ may use md/ and transport/, never the reverse; this module imports them only
inside functions so that importing :mod:`superionic.active` stays cheap (no torch). MD runs are
resumable: a rerun after a crash continues every run from its checkpoint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def default_oracle_protocol(**kw: Any) -> Any:
    """The oracle's protocol: short (an oracle is called many times) but the full rules:
    adaptive temperatures from 1200 K down, 2 ps segments, at most 4 ps per temperature,
    40-100 atom cells."""
    from superionic.md.workflow import ArrheniusProtocol, CellOptions

    base: dict[str, Any] = dict(cell=CellOptions(atom_range=(40, 100)), equil_ps=0.5,
                                segment_ps=2.0, max_ps_per_temperature=4.0, relax_steps=100)
    return ArrheniusProtocol(**{**base, **kw})


@dataclass(frozen=True)
class MDLabel:
    """What the MD oracle returns for one candidate.

    ``log10_sigma_S_cm``: log10 of sigma(300 K) in S/cm from the sigma*T Arrhenius fit;
    ``sigma_interval_S_cm``: its 95 % confidence interval; ``Ea_eV``/``Ea_err_eV``: activation
    energy (eV) of D(T) and its 1-sigma error; per significant temperature ``temperatures_K``,
    ``D_cm2_s``, ``sigma_T_S_cm``; ``verdict_reasons``; ``skipped``: the other temperatures with
    their status (bound, molten) or failure.
    """

    log10_sigma_S_cm: float
    sigma_S_cm: float
    sigma_interval_S_cm: tuple[float, float]
    Ea_eV: float
    Ea_err_eV: float
    target_T_K: float
    temperatures_K: list[float]
    D_cm2_s: list[float]
    sigma_T_S_cm: list[float]
    runs: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    verdict_reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_series(cls, series: Any) -> MDLabel:
        """The label of an :class:`~superionic.md.workflow.ArrheniusSeries` whose verdict is
        "arrhenius" (raises ``ValueError`` with the verdict and its reasons otherwise)."""
        if series.arrhenius is None:
            raise ValueError(f"MD verdict {series.verdict.value.value!r}: "
                             + "; ".join(series.verdict.reasons))
        a = series.arrhenius
        good = [t for t in series.temperatures if t.usable]
        skipped = {f"{t.temperature_K:g} K": t.status.value for t in series.temperatures
                   if not t.usable}
        skipped.update({f"{f.temperature_K:g} K": f.error for f in series.failures})
        return cls(log10_sigma_S_cm=math.log10(a.sigma300_S_cm), sigma_S_cm=a.sigma300_S_cm,
                   sigma_interval_S_cm=(a.sigma300_low_S_cm, a.sigma300_high_S_cm),
                   Ea_eV=a.Ea_eV, Ea_err_eV=a.Ea_err_eV, target_T_K=300.0,
                   temperatures_K=[t.temperature_K for t in good],
                   D_cm2_s=[float(t.D_cm2_s) for t in good],
                   sigma_T_S_cm=[float(t.sigma_S_cm) for t in good],
                   runs=[str(series.run_dir(t.temperature_K)) for t in series.temperatures],
                   skipped=skipped, verdict_reasons=list(series.verdict.reasons))


def safe_name(cid: str) -> str:
    """A folder name for candidate id ``cid`` (letters, digits, ``-_.``)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", cid).strip("._")
    return name or "candidate"


StructureSource = Mapping[str, Any] | Callable[[str], Any]


class MDOracle:
    """Labels candidates (ids) by MD; ``structures`` maps id -> pymatgen Structure (or path).

    ``protocol``: an :class:`~superionic.md.workflow.ArrheniusProtocol` (default
    :func:`default_oracle_protocol`). ``overrides`` maps id -> protocol fields that differ for
    that candidate; cell fields (``n_vacancies``, ``atom_range``, ``compensate``) go to its
    :class:`~superionic.md.workflow.CellOptions` (e.g. ``{"n_vacancies": 2}``). ``label(ids)``
    returns ``(labels, failed)`` like every oracle: labels are log10(sigma(300 K) / S cm^-1); a
    candidate whose structure is missing, whose MD fails or whose verdict is not "arrhenius" is
    reported in ``failed`` with the reason and the batch goes on. ``details[id]`` keeps the
    :class:`MDLabel` as a dict.
    """

    def __init__(self, structures: StructureSource, workdir: str | Path,
                 protocol: Any = None, mobile_ion: str = "Li", progress: bool = False,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None,
                 executor: Any = None) -> None:
        self.structures = structures
        self.workdir = Path(workdir)
        self.protocol = protocol if protocol is not None else default_oracle_protocol()
        if self.protocol.ion != mobile_ion:
            self.protocol = replace(self.protocol, ion=mobile_ion)
        self.mobile_ion = mobile_ion
        self.progress = progress
        self.executor = executor
        self.overrides = {k: dict(v) for k, v in (overrides or {}).items()}
        self.details: dict[str, dict[str, Any]] = {}

    def protocol_for(self, cid: str) -> Any:
        """The protocol of candidate ``cid`` (the oracle's, with its overrides)."""
        over = dict(self.overrides.get(cid, {}))
        cell_fields = {f.name for f in fields(self.protocol.cell)}
        cell_kw = {k: over.pop(k) for k in list(over) if k in cell_fields}
        proto = replace(self.protocol, **over)
        if cell_kw:
            proto = replace(proto, cell=replace(proto.cell, **cell_kw))
        return proto

    def structure(self, cid: str) -> Any:
        """The Structure of candidate ``cid`` (a path is read with pymatgen)."""
        src = self.structures
        s = src(cid) if callable(src) else src.get(cid)
        if s is None:
            raise KeyError(f"no structure for candidate {cid!r}")
        if isinstance(s, str | Path):
            from pymatgen.core import Structure

            s = Structure.from_file(s)
        return s

    def label_one(self, cid: str) -> MDLabel:
        """Run the MD workflow of one candidate; its label, or ``ValueError`` with the verdict."""
        structure = self.structure(cid)
        if hasattr(structure, "composition") and self.mobile_ion not in {
                el.symbol for el in structure.composition.elements}:
            raise ValueError(f"{structure.composition.reduced_formula} has no mobile "
                             f"{self.mobile_ion}")
        series = self.protocol_for(cid).run(structure, self.workdir / safe_name(cid),
                                            self.executor, progress=self.progress,
                                            structure_source=f"candidate {cid}")
        return MDLabel.from_series(series)

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        found: dict[str, float] = {}
        failed: dict[str, str] = {}
        for cid in ids:
            try:
                lab = self.label_one(cid)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - one failed candidate must not end the round
                failed[cid] = f"{type(exc).__name__}: {exc}"
                continue
            found[cid] = lab.log10_sigma_S_cm
            self.details[cid] = lab.to_dict()
        return found, failed
