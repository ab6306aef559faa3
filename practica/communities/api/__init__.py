"""The communities REST API: ``serializers`` (every payload), ``permissions`` (the community rules as DRF
permission classes), ``views`` (ViewSets where the resource fits), routed in ``practica/api/urls.py``."""
