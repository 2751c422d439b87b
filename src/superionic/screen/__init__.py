"""Screening: the funnel over a candidate pool, composite score and Pareto ranking."""
