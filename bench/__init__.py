"""The performance benchmark of Tandem: `make bench` (bench/run.py). See bench/README.md."""
