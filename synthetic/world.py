"""Everything a dataset generator may read: the population, care histories and the rules of the run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.care_histories import CareHistories
from synthetic.geography import Councils
from synthetic.identifier_errors import IdentifierErrors
from synthetic.population import Population
from synthetic.reference import Reference
from synthetic.sampling import stream


@dataclass
class World:
    """The shared, read-only inputs of every dataset generator, and the identifier error tally they all add to."""
    seed: int
    scale_factor: float  # 1.0 = Scotland; volumes of every agency dataset follow it
    reference: Reference
    councils: Councils
    population: Population
    care: CareHistories
    errors: IdentifierErrors

    def rng(self, name: str) -> np.random.Generator:
        """The generator's own random stream (see ``sampling.stream``)."""
        return stream(self.seed, name)

    def scaled(self, national: float, minimum: int = 1) -> int:
        """A national yearly volume at this run's scale, never below ``minimum``."""
        return max(minimum, int(round(national * self.scale_factor)))

    @property
    def reported(self) -> np.ndarray:
        """Scottish residents whose records agencies other than social work send.

        Everyone, except under ``--calibrate`` at a small scale, where the
        population is as large as the calibrated care numbers need but the other
        datasets keep the chosen scale by drawing only from a sample of families.
        """
        return (self.population.council >= 0) & self.population.in_sample

    def looked_after_during(self, year: int) -> np.ndarray:
        """Per person: looked after at any time in social-work year ``year``."""
        return self.care.looked_after_during(year, len(self.population))
