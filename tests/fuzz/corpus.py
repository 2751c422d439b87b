"""The fuzz suite's own corpus of bad (and a few good) inputs, per command family, and a runner
that calls the CLI in process through its one error wrapper (``superionic.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from superionic.cli import main

#: Formulas that must be refused (reason fragment expected in the message).
BAD_FORMULAS = {
    "": "empty",
    "   ": "empty",
    "LiO0": "zero",                 # pymatgen drops O: would be Li metal
    "Li0Cl": "zero",
    "Li1e400O": "not finite",       # inf: hangs reaction balancing, OverflowError in batches
    "Li1e7O": "exceeds",
    "LiO1e-9": "below",
    "Li-1O": "negative",
    "XO": "not an element",
    "Lii2O": "not an element",
    "DLi": "not an element",
    "Li(": "does not parse",
    "()": "does not parse",
    "Li)2": "does not parse",
    "2LiCl": "does not parse",
    "Li2O.H2O": "does not parse",
    "Fe2+O3": "does not parse",
    "Li" * 300: "characters exceeds",
    "((((((((((((Li))))))))))))": "",   # deeper than the fast path: pymatgen decides, bounded
    "nan": "empty",
}
#: Formulas the fast parser must read exactly as pymatgen does.
GOOD_FORMULAS = ["Li3PS4", "Li6.4La3Zr1.4Ta0.6O12", "Li3Fe2(PO4)3", "Li1 Fe1 P1 O4", "Ca(OH)2",
                 "((LiO)2Cl)1.5", "(Li2S)0.75(P2S5)0.25", "Li10Ge(PS6)2", "LiOLi", "K4Fe(CN)6",
                 "Li0.33La0.56TiO3", "Li7La3Zr2O12", "Li2.O", "Y3N@C80", "Li[PO4]"]

#: CSV files that are not what they claim (name -> bytes).
BAD_CSVS = {
    "binary.csv": bytes(range(256)) * 4,
    "empty.csv": b"",
    "header_only.csv": b"formula\n",
    "no_formula_column.csv": b"name,value\nLiCl,1\n",
}
#: CIF texts that must be rejected per row (featurize --cif-column).
BAD_CIFS = {
    "garbage": "this is not a cif",
    "truncated": "data_x\n_cell_length_a 4.0\n_cell_length_b",
    "missing_file": "does_not_exist.cif",
}
#: Trajectory files that are not trajectories.
BAD_TRAJECTORIES = {"empty.extxyz": b"", "text.extxyz": b"hello\nworld\n",
                    "binary.xyz": bytes(range(256)), "XDATCAR": b"not an xdatcar\n"}
#: Spectra that are not spectra.
BAD_SPECTRA = {"empty.csv": b"", "binary.csv": bytes(range(256)) * 3,
               "unitless.csv": b"f,re,im\n1,2,3\n", "one_point.csv":
               b"freq_Hz,Z_real_ohm,Z_imag_ohm\n1000,10,-1\n"}
#: Database URLs that cannot be used (fragment of the reason expected).
BAD_URLS = {"not a url": "not a database URL", "foo://x": "dialect",
            "mysql+nonexistentdriver://u@h/db": "dialect"}


def run_cli(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    """Run ``superionic ARGV`` in process; (exit code, the one JSON object on stdout, stderr).

    Asserts the policy's invariants: it ends in SystemExit, stdout holds exactly one JSON object
    and stderr no traceback."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    code = info.value.code if isinstance(info.value.code, int) else (0 if info.value.code is None
                                                                     else 1)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, f"stdout must hold one JSON object, got {out!r}"
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    assert "Traceback" not in err, err
    return code, payload, err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes (to prove nothing changed)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def pellet_spectrum(path: Path, r_bulk_ohm: float = 2.0e4, seed: int = 0) -> Path:
    """A one-arc pellet spectrum R0-p(R1,CPE1)-CPE2 (7 MHz - 0.1 Hz, 1 % noise) as CSV."""
    f = np.logspace(np.log10(7e6), -1, 80)
    jw = 2j * np.pi * f
    z = 5.0 + r_bulk_ohm / (1 + r_bulk_ohm * 1.0e-10 * jw ** 0.9) + 1 / (1.0e-6 * jw ** 0.85)
    rng = np.random.default_rng(seed)
    z = z + 0.01 * np.abs(z) * (rng.normal(size=z.size) + 1j * rng.normal(size=z.size))
    rows = ["freq_Hz,Z_real_ohm,Z_imag_ohm"] + [
        f"{float(a)!r},{float(b.real)!r},{float(b.imag)!r}" for a, b in zip(f, z, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    return path
