"""How the strategies generate requests and histories (public: ``sora_testkit.strategies``)."""
