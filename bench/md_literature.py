"""Measured Li conductivities and activation energies from the literature, for the MD
benchmark's materials that ../shared/reference/md_experiment.csv does not cover. Hand-compiled,
one entry per material, each with its measurement and citation (not a copy of any data set).
Used by bench/md_vs_experiment.py."""

from __future__ import annotations

LITERATURE: tuple[dict[str, object], ...] = (
    {
        "formula": 'Li3InCl6', "library_name": 'Li3InCl6',
        "sigma_rt_S_cm": 0.00204, "Ea_eV": 0.35,
        "measurement": (
            'cold-pressed pellet of water-mediated Li3InCl6, impedance, 25 C (total); Ea from the'
            ' 25-100 C Arrhenius fit as compiled by Laskowski et al. 2023; same sigma in OBELiX '
            '(ID de5)'
        ),
        "source": (
            'X. Li, J. Liang, N. Chen et al., Angew. Chem. Int. Ed. 58, 16427-16432 (2019), '
            'doi:10.1002/anie.201909805'
        ),
    },
    {
        "formula": 'Li3N', "library_name": 'Li3N',
        "sigma_rt_S_cm": 0.0012, "Ea_eV": 0.25,
        "measurement": (
            'single crystal, impedance, 25 C, perpendicular to c (the fast direction; parallel to'
            ' c is ~1e-5 S/cm, so an isotropic MD average is ~2/3 of this); Ea as compiled by '
            'Laskowski et al. 2023 (other reviews quote 0.25-0.29 eV); polycrystalline pellets '
            'give 5.8e-4 S/cm (OBELiX gvd, doi:10.1039/c0ee00052c)'
        ),
        "source": (
            'U. v. Alpen, A. Rabenau, G. H. Talat, Appl. Phys. Lett. 30, 621-623 (1977), '
            'doi:10.1063/1.89283'
        ),
    },
    {
        "formula": 'Li3PS4', "library_name": 'beta-Li3PS4',
        "sigma_rt_S_cm": 0.00016, "Ea_eV": 0.36,
        "measurement": (
            'nanoporous beta-Li3PS4 (beta phase stabilised at RT by nanostructuring), pellet, '
            'impedance, 25 C; bulk crystalline Li3PS4 at RT is gamma (2.6e-7 S/cm, 0.49 eV, same '
            'paper), so the beta value is the one an MD of the beta structure is compared with'
        ),
        "source": (
            'Z. Liu, W. Fu, E. A. Payzant et al., J. Am. Chem. Soc. 135, 975-978 (2013), '
            'doi:10.1021/ja3110895'
        ),
    },
    {
        "formula": 'Li7P3S11', "library_name": '',
        "sigma_rt_S_cm": 0.017, "Ea_eV": 0.18,
        "measurement": (
            'heat-treated (hot-pressed) 70Li2S-30P2S5 glass-ceramic with few grain boundaries, '
            'impedance, 25 C; Ea 17 kJ/mol; cold-pressed glass-ceramics give 3.2e-3 S/cm (Mizuno '
            'et al., Adv. Mater. 17, 918 (2005), doi:10.1002/adma.200401286); no library '
            'structure (Yamane 2007 coordinates not available offline)'
        ),
        "source": (
            'Y. Seino, T. Ota, K. Takada, A. Hayashi, M. Tatsumisago, Energy Environ. Sci. 7, '
            '627-631 (2014), doi:10.1039/c3ee41655k'
        ),
    },
)
