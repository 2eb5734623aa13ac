"""What every app builds on and that imports no app: the domain errors services raise, and the
API's shared parts (the strict serializer and its fields, the JSON parser, pagination, the schema's
error responses). config/ at the top wires them in; the apps sit between."""
