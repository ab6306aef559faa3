"""The insights app's API: each resource in its own module (the network view in ``network.py``)."""
