"""What every app builds on and that imports no app: the domain errors services raise, the API's
shared parts (the strict serializer and its fields, the JSON parser, pagination, the schema's error
responses), and what every process counts for /metrics (metrics.py). config/ at the top wires them
in; the apps sit between."""
