"""Active learning: acquisition functions, oracles and the choose-label-retrain loop."""
