"""The library face: lazy top-level entry points, import hygiene of the core, extras named in
errors, and a ``superionic --help`` that loads no scientific stack."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import superionic
from superionic._extras import EXTRAS, MissingExtraError, optional_import

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "transport" / "li3clo_vac_1500K.extxyz"
OPTIONAL = ("torch", "chgnet", "xgboost", "lightgbm", "catboost", "shap", "skops", "dask",
            "distributed", "psycopg")


def _loaded_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; which heavy modules it left in sys.modules."""
    probe = ("import json, sys\n" + code + "\nprint(json.dumps({m: m in sys.modules for m in "
             + repr((*OPTIONAL, "numpy", "pandas", "sklearn", "scipy", "pymatgen")) + "}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_superionic_is_light_and_lists_entry_points():
    loaded = _loaded_after("import superionic; assert 'featurize' in superionic.__all__")
    assert not any(loaded.values()), {k for k, v in loaded.items() if v}
    wanted = {"featurize", "train_best", "load_model", "build_target_data", "run_screen",
              "load_pool", "prepare_structure", "analyze_trajectory", "fit_arrhenius",
              "read_trajectory", "analyze_spectrum", "build_variants", "ActiveLoop", "Settings"}
    if importlib.util.find_spec("superionic.md.workflow") is not None:  # the MD workflow
        wanted.add("ArrheniusProtocol")
    assert wanted <= set(superionic.__all__)
    namespace: dict = {}
    exec("from superionic import *", namespace)  # every listed name resolves
    assert set(superionic.__all__) <= set(namespace)


def test_core_packages_import_no_optional_stack():
    loaded = _loaded_after("import superionic.transport, superionic.features, "
                           "superionic.experiment, superionic.stability, superionic.data, "
                           "superionic.active, superionic.models.paths")
    assert not [m for m in OPTIONAL if loaded[m]]


def test_cli_help_loads_no_scientific_stack():
    code = ("import sys\nsys.argv = ['superionic', '--help']\nfrom superionic.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    loaded = _loaded_after(code)
    heavy = [m for m in (*OPTIONAL, "pandas", "sklearn", "scipy", "pymatgen") if loaded[m]]
    assert heavy == []


def test_every_export_resolves_to_its_documented_object():
    for name, module in superionic._EXPORTS.items():
        if importlib.util.find_spec(module) is None:  # the MD workflow lands with issue 14
            assert name not in superionic.__all__
            with pytest.raises(AttributeError):
                getattr(superionic, name)
            continue
        assert name in superionic.__all__
        assert getattr(superionic, name) is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError):
        superionic.no_such_entry_point  # noqa: B018
    from superionic.models import build_target_data
    from superionic.models.dataset import build_target_data as direct
    assert build_target_data is direct


def test_top_level_transport_matches_the_subpackage_on_the_fixture():
    """The top-level names are the transport functions, not wrappers: same D on the fixture."""
    from superionic.transport import analyze_trajectory, read_trajectory

    a = superionic.analyze_trajectory(superionic.read_trajectory(FIXTURE, "Li", 0.02, 1500.0))
    b = analyze_trajectory(read_trajectory(FIXTURE, "Li", 0.02, 1500.0))
    assert a.n_ions == 23  # Li3ClO 2x2x2 with one Li vacancy
    assert 1e-7 < a.tracer.D_cm2_s < 1e-4  # cm^2/s: the fixture gives 1.1e-6 (23 Li, 1500 K)
    assert a.tracer.D_cm2_s == b.tracer.D_cm2_s


def test_missing_extra_names_the_extra(monkeypatch):
    assert EXTRAS["torch"] == "md" and EXTRAS["catboost"] == "ml" and EXTRAS["dask"] == "scale"
    monkeypatch.setitem(sys.modules, "catboost", None)  # import of catboost now fails
    with pytest.raises(MissingExtraError, match=r"superionic\[ml\]"):
        optional_import("catboost", "model 'catboost'")
    from superionic.models.zoo import make_model

    with pytest.raises(ImportError, match=r"pip install 'superionic\[ml\]'"):
        make_model("catboost")
    monkeypatch.setitem(sys.modules, "distributed", None)
    from superionic.parallel import Executor

    with pytest.raises(ImportError, match=r"superionic\[scale\]"):
        Executor(kind="dask", address="tcp://127.0.0.1:1").map(abs, [1, 2])


def test_library_errors_name_parameters_and_the_cli_names_flags():
    """A refused charged cell: the library says ``force=True``, ``superionic defects`` says
    ``--force``; the net charge (+1 e per formula unit of Li3.5ClO0.75) is in both."""
    from typer.testing import CliRunner

    from superionic.cli import app
    from superionic.defects.li_defects import ChargeBalanceError, plan_composition
    from superionic.defects.library import get_structure, ordered

    with pytest.raises(ChargeBalanceError) as info:
        plan_composition(ordered(get_structure("Li3ClO")), "Li3.5ClO0.75")
    assert "force=True" in str(info.value) and "--" not in str(info.value)
    assert "+1 e per formula unit" in str(info.value)
    res = CliRunner().invoke(app, ["defects", "Li3ClO", "--target", "Li3.5ClO0.75", "--json"])
    error = json.loads(res.stdout.strip().splitlines()[-1])["error"]
    assert res.exit_code == 3 and "--force" in error and "force=True" not in error
