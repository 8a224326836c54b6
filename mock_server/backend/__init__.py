"""The backend: jobs, their clock and store, limits, media and deliveries. No Flask here."""
