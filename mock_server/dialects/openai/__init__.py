"""The OpenAI-native dialect: ``/v1/videos`` (SPEC 1)."""

NAME = "openai"
