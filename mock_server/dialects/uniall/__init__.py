"""The UniAll task format: ``POST /v1/video/generations``, ``GET /v1/videos/gen_...`` (SPEC 2).

Its record is in ``record.py``.
"""

NAME = "uniall"
