"""The OpenAI-native dialect: ``/v1/videos`` (SPEC 1). Its record is in ``record.py``."""

NAME = "openai"
