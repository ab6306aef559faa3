"""The people REST API: ``serializers`` (every payload) and ``views``, routed in ``practica/api/urls.py``."""
