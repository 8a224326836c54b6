"""Azure's Sora 1 video generation jobs API (SPEC 4.2). Its record is in ``record.py``."""

NAME = "azure_jobs"
