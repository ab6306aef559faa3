"""The insights API: a community's health (``views``, payloads in ``serializers``), routed in
``practica/api/urls.py``. Each surface keeps its own modules here."""
