"""`python -m tools.offline_preview`: the real program and the real policy pack, with no cluster and no CLI."""
