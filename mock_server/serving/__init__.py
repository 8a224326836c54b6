"""Serving the app over HTTP: granian for ``sora-mock serve``, Werkzeug's threaded server for a
server inside a test process (``sora_testkit.live``), and the WSGI call both share with the
in-process transport."""
