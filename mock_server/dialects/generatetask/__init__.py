"""The generateTask format: ``/api/v1/generateTask/sora-2-pro`` and ``statusTask`` (SPEC 3).

Its record is in ``record.py``.
"""

NAME = "generatetask"
