"""The insights API, each surface in its own module: a community's health (``views``, payloads in
``serializers``), its history (``history``), the lifecycle stage (``lifecycle``) and the network view (``network``);
routed in ``practica/api/urls.py``."""
