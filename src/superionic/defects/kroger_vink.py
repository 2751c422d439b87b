"""Kröger-Vink notation: point defects as ``M_S^C`` strings and balanced defect reactions.

``M`` is the occupant (``V`` for a vacancy), ``S`` the site (``i`` for an interstitial) and ``C``
the effective charge relative to the perfect crystal: ``^x`` neutral, ``^.`` per positive and
``'`` per negative charge (``V_Li'``, ``V_O^..``, ``Li_i^.``, ``Zr_Y^.``, ``Ti_Ti'``). Plain
ASCII, as printed by the CLI; :func:`to_latex` gives the typeset form.

Reference: F. A. Kröger, H. J. Vink, Solid State Phys. 3, 307-435 (1956).
"""

from __future__ import annotations

from dataclasses import dataclass

VACANCY = "V"
INTERSTITIAL = "i"


def charge_mark(effective_charge: int) -> str:
    """``^x`` for 0, ``^.`` repeated for positive, ``'`` repeated for negative charges."""
    q = int(effective_charge)
    if q == 0:
        return "^x"
    if q > 0:
        return "^" + "." * q
    return "'" * (-q)


@dataclass(frozen=True)
class PointDefect:
    """One point defect: occupant (None = vacancy) on a site (None = interstitial).

    ``occupant_charge`` and ``site_charge`` are formal charges (e) of the occupant and of the
    ion normally on that site; the effective charge is their difference.
    """

    occupant: str | None
    site: str | None
    occupant_charge: int = 0
    site_charge: int = 0

    @property
    def effective_charge(self) -> int:
        occ = 0 if self.occupant is None else self.occupant_charge
        host = 0 if self.site is None else self.site_charge
        return occ - host

    def __str__(self) -> str:
        occ = VACANCY if self.occupant is None else self.occupant
        site = INTERSTITIAL if self.site is None else self.site
        return f"{occ}_{site}{charge_mark(self.effective_charge)}"


def vacancy(element: str, charge: int) -> PointDefect:
    """Vacancy on the site of ``element`` (formal charge ``charge``): ``V_Li'``, ``V_Cl^.``."""
    return PointDefect(None, element, 0, charge)


def interstitial(element: str, charge: int) -> PointDefect:
    """Interstitial ``element`` of formal charge ``charge``: ``Li_i^.``, ``O_i''``."""
    return PointDefect(element, None, charge, 0)


def substitution(occupant: str, occupant_charge: int, site: str, site_charge: int) -> PointDefect:
    """``occupant`` on the site of ``site``: ``Zr_Y^.`` (Zr4+ on Y3+), ``Ti_Ti'`` (Ti3+ on Ti4+)."""
    return PointDefect(occupant, site, occupant_charge, site_charge)


def lattice(element: str, charge: int) -> PointDefect:
    """An ion on its own site, neutral: ``Li_Li^x``."""
    return PointDefect(element, element, charge, charge)


def _term(coef: float, text: str) -> str:
    if abs(coef - 1) < 1e-12:
        return text
    c = f"{coef:g}"
    return f"{c} {text}"


def reaction(left: list[tuple[float, str]], right: list[tuple[float, str]]) -> str:
    """``a A + b B -> c C + ...`` from (coefficient, species text) pairs; zero terms dropped."""
    lhs = " + ".join(_term(c, t) for c, t in left if c) or "nil"
    rhs = " + ".join(_term(c, t) for c, t in right if c) or "nil"
    return f"{lhs} -> {rhs}"


def net_effective_charge(terms: list[tuple[float, PointDefect]]) -> float:
    """Sum of coefficient x effective charge (0 for a charge-balanced defect set)."""
    return sum(c * d.effective_charge for c, d in terms)


def to_latex(defect: PointDefect) -> str:
    """LaTeX form, e.g. ``\\mathrm{V}_{\\mathrm{Li}}^{\\prime}``."""
    occ = VACANCY if defect.occupant is None else defect.occupant
    site = INTERSTITIAL if defect.site is None else defect.site
    q = defect.effective_charge
    sup = "\\times" if q == 0 else ("\\bullet" * q if q > 0 else "\\prime" * (-q))
    return f"\\mathrm{{{occ}}}_{{\\mathrm{{{site}}}}}^{{{sup}}}"
