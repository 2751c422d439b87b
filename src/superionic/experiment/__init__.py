"""Experimental data: impedance spectra (EIS) of pellets -> ionic conductivity, temperature
series -> Arrhenius Ea, DC polarisation -> electronic conductivity, and measured labels.

Modules: ``columns`` (unit-bearing CSV headers), ``eis`` (read spectra, pellet conductivity),
``circuits`` (equivalent-circuit fits), ``pellet`` (sigma = L / (R A)), ``series`` (sigma(T) and
Arrhenius), ``polarization`` (Hebb-Wagner sigma_e), ``labels`` (Measurement records, label CSV),
``literature`` (Liverpool series Ea vs Laskowski), ``plots``.
"""

from superionic.experiment.circuits import (
    BULK,
    BULK_GB,
    CIRCUITS,
    CircuitFit,
    ModelSelection,
    circuit_impedance,
    fit_circuit,
    select_circuit,
)
from superionic.experiment.eis import (
    INSTRUMENTS,
    MIN_POINTS,
    EISResult,
    Spectrum,
    analyze_file,
    analyze_spectrum,
    make_spectrum,
    read_spectrum,
)
from superionic.experiment.errors import DataFileError
from superionic.experiment.labels import (
    eis_labels,
    make_measurement,
    polarization_labels,
    read_labels,
    series_labels,
    write_labels,
    write_oracle_csv,
)
from superionic.experiment.pellet import Pellet, conductivity_S_cm
from superionic.experiment.polarization import (
    CurrentTrace,
    PolarizationResult,
    SteadyState,
    electronic_conductivity,
    read_polarization,
    steady_state_current,
)
from superionic.experiment.series import (
    SeriesEntry,
    SeriesResult,
    analyze_directory,
    analyze_series,
    fit_series,
    series_entries,
    temperature_from_name,
)

__all__ = [
    "BULK", "BULK_GB", "CIRCUITS", "INSTRUMENTS", "MIN_POINTS", "CircuitFit", "CurrentTrace",
    "DataFileError", "EISResult", "ModelSelection", "Pellet", "PolarizationResult", "SeriesEntry",
    "SeriesResult", "Spectrum", "SteadyState", "analyze_directory", "analyze_file",
    "analyze_series", "analyze_spectrum", "circuit_impedance", "conductivity_S_cm",
    "eis_labels", "electronic_conductivity", "fit_circuit", "fit_series", "make_measurement",
    "make_spectrum", "polarization_labels", "read_labels", "read_polarization",
    "read_spectrum", "series_entries", "series_labels", "select_circuit",
    "steady_state_current", "temperature_from_name", "write_labels", "write_oracle_csv",
]
