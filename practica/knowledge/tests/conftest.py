from practica.knowledge.tests.builders import _media_in_tmp  # noqa: F401  (files of each test in its own folder)
