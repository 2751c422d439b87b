"""Active learning: choose a batch, label it, retrain; round after round, resumable.

- :mod:`~superionic.active.acquisition`: greedy, uncertainty, UCB, EI, random; diverse batches
- :mod:`~superionic.active.loop`: ``run_rounds`` (a generator of ``RoundResult``), surrogate spread
- :mod:`~superionic.active.oracles`: retrospective, file (CSV of measurements), callable
- :mod:`~superionic.active.md_oracle`: labels by MD (sigma at 300 K, Ea); imports md/ lazily
- :mod:`~superionic.active.rounds`: round -> store payload, and the state to resume from
- :mod:`~superionic.active.pool`: featurised pool, seed split, top-1 % threshold
- :mod:`~superionic.active.candidates`: candidates from a CSV or a folder of CIFs

Importing this package loads neither the MD stack nor torch.
"""
