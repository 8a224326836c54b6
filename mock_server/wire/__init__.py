"""What a request brought: its body read within limits, and the app state and key it runs with.

Below the dialects: their views read requests through here, and never import the web layer.
"""
