"""Azure OpenAI's Sora 2: the videos API under Azure's paths (SPEC 4.1). Its record is in
``record.py``."""

NAME = "azure"
