"""Councils as the synthetic world sees them: child population, care rates, postcodes.

The council list itself comes from ``reference/local_authorities.csv``. What the
reference does not hold - each council's share of Scotland's 0-17 population,
its relative rate of children looked after, and the postcode districts its
homes fall in - is a model assumption kept here, keyed by GSS code. Shares are
rounded from NRS mid-year estimates; rates follow the published pattern (high in
Inverclyde, Dundee, West Dunbartonshire and Glasgow, low in East Renfrewshire,
Aberdeenshire and Shetland), not any one year's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.reference import Reference

# la_code: (percent of Scotland's 0-17 population, looked after per 1,000 aged 0-17, postcode districts)
COUNCIL_PROFILES: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "S12000033": (3.7, 16.0, ("AB10", "AB11", "AB12", "AB15", "AB16", "AB21", "AB22", "AB23", "AB24", "AB25")),
    "S12000034": (5.2, 6.0, ("AB30", "AB31", "AB32", "AB33", "AB34", "AB35", "AB39", "AB41", "AB42", "AB43", "AB44", "AB45", "AB51", "AB53", "AB54")),
    "S12000041": (2.0, 13.0, ("DD7", "DD8", "DD9", "DD10", "DD11")),
    "S12000035": (1.4, 12.0, ("PA23", "PA27", "PA28", "PA31", "PA34", "PA37", "PA41", "PA60", "G83", "G84")),
    "S12000036": (8.8, 11.0, ("EH1", "EH3", "EH4", "EH5", "EH6", "EH7", "EH8", "EH9", "EH10", "EH11", "EH12", "EH13", "EH14", "EH15", "EH16", "EH17")),
    "S12000005": (1.0, 19.0, ("FK10", "FK11", "FK12", "FK13", "FK14")),
    "S12000006": (2.4, 13.0, ("DG1", "DG2", "DG3", "DG4", "DG5", "DG6", "DG7", "DG8", "DG9", "DG10", "DG11", "DG12", "DG16")),
    "S12000042": (2.7, 22.0, ("DD1", "DD2", "DD3", "DD4", "DD5")),
    "S12000008": (2.3, 18.0, ("KA1", "KA3", "KA4", "KA5", "KA17", "KA18")),
    "S12000045": (2.1, 7.0, ("G61", "G62", "G64", "G65", "G66")),
    "S12000010": (2.2, 10.0, ("EH21", "EH31", "EH32", "EH33", "EH34", "EH35", "EH39", "EH41", "EH42")),
    "S12000011": (2.3, 5.0, ("G46", "G76", "G77", "G78")),
    "S12000014": (3.0, 14.0, ("FK1", "FK2", "FK3", "FK4", "FK5", "FK6")),
    "S12000047": (7.0, 13.0, ("KY1", "KY2", "KY3", "KY4", "KY5", "KY6", "KY7", "KY8", "KY9", "KY10", "KY11", "KY12", "KY15", "KY16")),
    "S12000049": (11.0, 19.0, ("G1", "G2", "G3", "G4", "G5", "G11", "G12", "G13", "G14", "G15", "G20", "G21", "G22", "G23", "G31", "G32", "G33", "G34", "G40", "G41", "G42", "G43", "G44", "G45", "G51", "G52", "G53")),
    "S12000017": (4.4, 10.0, ("IV1", "IV2", "IV3", "IV4", "IV12", "IV15", "IV17", "IV18", "IV19", "IV21", "IV27", "IV40", "PH19", "PH22", "PH26", "PH33", "KW1", "KW14")),
    "S12000018": (1.4, 25.0, ("PA14", "PA15", "PA16", "PA18", "PA19")),
    "S12000019": (2.0, 13.0, ("EH18", "EH19", "EH20", "EH22", "EH23", "EH24", "EH25", "EH26")),
    "S12000020": (1.8, 10.0, ("IV30", "IV31", "IV32", "IV36", "AB55", "AB56")),
    "S12000013": (0.45, 8.0, ("HS1", "HS2", "HS3", "HS5", "HS6", "HS7", "HS8", "HS9")),
    "S12000021": (2.5, 19.0, ("KA11", "KA12", "KA13", "KA20", "KA21", "KA22", "KA23", "KA24", "KA25", "KA28", "KA30")),
    "S12000050": (6.6, 14.0, ("ML1", "ML2", "ML4", "ML5", "ML6", "ML7", "G67", "G68", "G69")),
    "S12000023": (0.4, 8.0, ("KW15", "KW16", "KW17")),
    "S12000048": (2.6, 10.0, ("PH1", "PH2", "PH3", "PH7", "PH10", "PH11", "PH13", "PH15", "PH16", "KY13")),
    "S12000038": (3.3, 14.0, ("PA1", "PA2", "PA3", "PA4", "PA5", "PA6", "PA10", "PA11", "PA12")),
    "S12000026": (2.0, 10.0, ("TD1", "TD2", "TD5", "TD6", "TD7", "TD8", "TD9", "TD10", "TD11", "TD14", "EH43", "EH44", "EH45", "EH46")),
    "S12000027": (0.47, 6.0, ("ZE1", "ZE2", "ZE3")),
    "S12000028": (1.8, 15.0, ("KA6", "KA7", "KA8", "KA9", "KA10", "KA19", "KA26")),
    "S12000029": (5.9, 10.0, ("ML3", "ML8", "ML9", "ML10", "ML11", "ML12", "G71", "G72", "G73", "G74", "G75")),
    "S12000030": (1.8, 12.0, ("FK7", "FK8", "FK9", "FK15", "FK16", "FK17", "FK18")),
    "S12000039": (1.7, 22.0, ("G60", "G81", "G82")),
    "S12000040": (3.9, 11.0, ("EH27", "EH47", "EH48", "EH49", "EH52", "EH53", "EH54", "EH55")),
}

# Inward codes never use C, I, K, M, O or V.
_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


@dataclass(frozen=True)
class Councils:
    """The 32 councils in reference order, with the model's assumptions attached."""

    codes: np.ndarray  # current GSS codes
    names: np.ndarray
    former_codes: np.ndarray  # the code used before 2018-19 recoding, or ""
    child_share: np.ndarray  # share of Scotland's 0-17 population (sums to 1)
    looked_after_rate: np.ndarray  # per 1,000 children aged 0-17
    districts: np.ndarray  # every postcode district, flattened
    district_council: np.ndarray  # council index of each district

    @classmethod
    def from_reference(cls, reference: Reference) -> "Councils":
        """Attach the model assumptions to the reference council list; an unknown council is an error, not a guess."""
        table = reference.local_authorities
        missing = sorted(set(table["la_code"]) - set(COUNCIL_PROFILES))
        if missing:
            raise ValueError(f"No synthetic profile for councils {missing}: add them to COUNCIL_PROFILES")
        profiles = [COUNCIL_PROFILES[code] for code in table["la_code"]]
        share = np.array([p[0] for p in profiles])
        districts = [(d, i) for i, p in enumerate(profiles) for d in p[2]]
        return cls(
            codes=table["la_code"].to_numpy(dtype=object),
            names=table["la_name"].to_numpy(dtype=object),
            former_codes=np.array([f.split(";")[0] if f else "" for f in table["former_codes"]], dtype=object),
            child_share=share / share.sum(),
            looked_after_rate=np.array([p[1] for p in profiles]),
            districts=np.array([d for d, _ in districts], dtype=object),
            district_council=np.array([i for _, i in districts]),
        )

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def deprivation(self) -> np.ndarray:
        """Relative need, read off the looked-after rate: it shifts every family's risk."""
        return np.log(self.looked_after_rate / np.median(self.looked_after_rate))

    def random_postcodes(self, rng: np.random.Generator, council: np.ndarray) -> np.ndarray:
        """A postcode per row inside each row's council, packed as one integer.

        Packing (district, sector digit, two inward letters) keeps a million
        postcodes cheap; ``format_postcodes`` turns them into text on output.
        """
        council = np.asarray(council)
        first = np.searchsorted(self.district_council, np.arange(len(self)), side="left")
        count = np.bincount(self.district_council, minlength=len(self))
        district = first[council] + (rng.random(len(council)) * count[council]).astype(np.int64)
        inward = rng.integers(0, 10 * 400, size=len(council))
        return district * 4000 + inward

    def format_postcodes(self, packed: np.ndarray) -> np.ndarray:
        """'G12 8QQ' style text for packed postcodes; negative values mean missing."""
        packed = np.asarray(packed, dtype=np.int64)
        missing = packed < 0
        safe = np.where(missing, 0, packed)
        district, inward = np.divmod(safe, 4000)
        sector, letters = np.divmod(inward, 400)
        text = (
            self.districts[district].astype(str)
            + " "
            + sector.astype(str)
            + _INWARD_LETTERS[letters // 20]
            + _INWARD_LETTERS[letters % 20]
        ).astype(object)
        text[missing] = ""
        return text
