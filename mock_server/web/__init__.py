"""The HTTP side: body parsing, the request pipeline, the control API (Flask from here up)."""
