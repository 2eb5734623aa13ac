"""/metrics read back as Prometheus reads it: each sample's value by its name and labels."""

from dataclasses import dataclass

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    samples: dict[tuple[str, frozenset], float]
    families: dict[str, str]  # the name of each family (without _total) and its type

    def value(self, name: str, **labels: str) -> float:
        """A sample's value; 0 for one not (yet) exported, as for a counter nothing has counted."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def __sub__(self, before: "Scrape") -> dict[tuple[str, frozenset], float]:
        """What moved since `before`: each sample's change, those that changed only."""
        moved = {key: value - before.samples.get(key, 0.0) for key, value in self.samples.items()}
        return {key: change for key, change in moved.items() if change}


def scrape(client: Client | None = None) -> Scrape:
    """/metrics as a client on loopback (the default that may read it) gets it."""
    response = (client or Client()).get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version="), response["Content-Type"]
    samples: dict[tuple[str, frozenset], float] = {}
    families: dict[str, str] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        families[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return Scrape(samples=samples, families=families)
