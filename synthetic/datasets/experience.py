"""The Promise Scotland's experience data: survey answers and coded engagement evidence.

Survey answers lean positive for some vision statements and negative for others
and improve a little each year, so "share positive" and "change since last
period" have something to show. Children, young people and young adults who
answer are real members of the synthetic population with care histories (their
``true_person_id`` is in the ground truth); parents, adults and the workforce
are not. Some free text and quotes name a worker or a place ("My worker Sarah in
Paisley...") so that redaction before publication can be tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import names, periods
from synthetic.datasets.organisations import ORGANISATIONS
from synthetic.output import AgencyFile, not_about_people
from synthetic.sampling import choose_by_probability, rank_within_runs
from synthetic.world import World

RESPONSES = "experience_responses"
EVIDENCE = "engagement_evidence"
RESPONSE_COLUMNS = (
    "response_id", "respondent_ref", "collected_by", "collection_date", "la_code", "respondent_group", "vision_id", "item_id", "answer",
    "free_text", "consent_to_quote",
)
EVIDENCE_COLUMNS = ("evidence_id", "source", "collected_date", "vision_id", "lens", "theme", "summary", "quote", "consent_to_quote")
RESPONDENTS_NATIONAL = 3_000
EVIDENCE_NATIONAL = 300
GROUPS = ("child_8_11", "young_person_12_17", "young_adult_18_26", "adult_26_plus", "parent_family", "workforce")
_GROUP_MIX = np.array([0.15, 0.25, 0.20, 0.10, 0.15, 0.15])
_GROUP_AGES = {0: (8, 11), 1: (12, 17), 2: (18, 26)}  # groups drawn from the population
_GROUP_MOOD = np.array([0.05, -0.05, -0.03, 0.0, -0.02, 0.05])
_VISION_MOOD = np.array([0.55, 0.50, 0.52, 0.45, 0.48, 0.40, 0.58, 0.47, 0.44, 0.42])  # share positive in 2023
YEARLY_IMPROVEMENT = 0.03
YES_NO_VISIONS = (2, 4, 6, 8, 9)  # their third item is answered yes / no / not sure
FREE_TEXT_SHARE = 0.12
NAMED_SHARE = 0.25  # free text that names a person or a place
LENSES = ("whats_working", "gaps", "experience_of_change")
_LENS_MIX = np.array([0.4, 0.4, 0.2])

PLACES = (
    "Paisley", "Kilmarnock", "Dundee", "Leith", "Motherwell", "Inverness", "Falkirk", "Kirkcaldy", "Greenock", "Ayr",
    "Dumfries", "Perth", "Livingston", "Hamilton", "Stornoway", "Lerwick", "Kirkwall", "Elgin", "Arbroath", "Galashiels",
)
_GOOD = (
    "I get to see my brother every week now.",
    "People listen to me at my meetings.",
    "My carer helps me with school and I feel settled.",
    "I know who to ask when something goes wrong.",
    "The support came before things got really bad.",
)
_BAD = (
    "I have had too many workers and had to tell my story again.",
    "Nobody told me why I had to move.",
    "I waited months to see someone about my mental health.",
    "I don't get to see my sister as much as I want.",
    "When I turned 16 the support just stopped.",
)
_NAMED = (
    "My worker {name} in {place} really listens to me.",
    "{name} from the {place} team helped my mum when nobody else would.",
    "I moved to {place} and my new worker {name} never calls back.",
    "Since I came to {place} {name} has been the one person who stayed.",
    "Mrs {surname} at the school in {place} made sure I wasn't left out.",
)
_SOURCES = (
    "Listening session with care experienced young people, {place}",
    "Parent and family forum, {place}",
    "Workforce survey free text",
    "Care experienced adults' group, {place}",
    "Partner organisation report",
    "Youth participation worker notes, {place}",
)
_SUMMARIES = {
    "whats_working": "People described {theme} working better where relationships stay the same",
    "gaps": "People described gaps in {theme}, especially at transitions",
    "experience_of_change": "People noticed some change in {theme} but said it is not yet consistent",
}


def _free_text(rng: np.random.Generator, count: int, positive: np.ndarray) -> np.ndarray:
    """Short comments; a share name a person or a place so redaction has work to do."""
    texts = np.empty(count, dtype=object)
    named = rng.random(count) < NAMED_SHARE
    forenames = names.FORENAMES[names.FORENAME_WEIGHTS > 0]
    for index in range(count):
        if named[index]:
            template = _NAMED[rng.integers(0, len(_NAMED))]
            texts[index] = template.format(
                name=forenames[rng.integers(0, len(forenames))],
                surname=names.SURNAMES[rng.integers(0, 60)],
                place=PLACES[rng.integers(0, len(PLACES))],
            )
        else:
            bank = _GOOD if positive[index] else _BAD
            texts[index] = bank[rng.integers(0, len(bank))]
    return texts


def _respondents(world: World, rng: np.random.Generator, year: int, group: np.ndarray) -> np.ndarray:
    """A person for each child, young person or young adult respondent (-1 for the other groups)."""
    pop = world.population
    ever_looked_after = world.care.child_ref != ""
    person = np.full(len(group), -1, dtype=np.int64)
    ages = pop.age_on(np.arange(len(pop)), periods.day(year, 6, 30))
    for index, (youngest, oldest) in _GROUP_AGES.items():
        rows = np.flatnonzero(group == index)
        if not len(rows):
            continue
        pool = np.flatnonzero(world.reported & ever_looked_after & (ages >= youngest) & (ages <= oldest))
        if not len(pool):
            pool = np.flatnonzero(world.reported & (ages >= youngest) & (ages <= oldest))
        person[rows] = rng.choice(pool, size=len(rows), replace=len(rows) > len(pool))
    return person


def _response_files(world: World) -> list[AgencyFile]:
    """One file per collection year: each respondent answers items on two to four vision statements."""
    rng = world.rng(RESPONSES)
    councils = world.councils
    collectors = np.array(["TPS"] + [o[0] for o in ORGANISATIONS], dtype=object)
    files: list[AgencyFile] = []
    for year in periods.EXPERIENCE_YEARS:
        count = world.scaled(RESPONDENTS_NATIONAL, minimum=30)
        group = rng.choice(len(GROUPS), size=count, p=_GROUP_MIX)
        collected = periods.day(year, 1, 1) + rng.integers(0, 365, size=count)
        collected_text = periods.iso(collected)
        person = _respondents(world, rng, year, group)
        council = np.where(person >= 0, world.population.council[np.maximum(person, 0)], rng.choice(len(councils), size=count, p=councils.child_share))
        la_code = councils.codes[council].copy()
        la_code[(group == GROUPS.index("workforce")) & (rng.random(count) < 0.2)] = ""
        collected_by = collectors[np.where(rng.random(count) < 0.5, 0, rng.integers(1, len(collectors), size=count))]
        consent = np.where(rng.random(count) < 0.55, "Y", "N")
        # Each respondent answers two to four vision statements, two or three items on each.
        visions_answered = rng.integers(2, 5, size=count)
        vision_order = np.argsort(rng.random((count, 10)), axis=1) + 1
        respondent = np.repeat(np.arange(count), visions_answered)
        vision = vision_order[respondent, rank_within_runs(respondent)]
        items = np.where(rng.random(len(respondent)) < 0.6, 3, 2)
        row_respondent = np.repeat(respondent, items)
        row_vision = np.repeat(vision, items)
        item = 1 + rank_within_runs(np.repeat(np.arange(len(respondent)), items))
        chance = _VISION_MOOD[row_vision - 1] + _GROUP_MOOD[group[row_respondent]] + YEARLY_IMPROVEMENT * (year - periods.EXPERIENCE_YEARS[0])
        mood = choose_by_probability(rng, np.column_stack([chance, np.full(len(chance), 0.15), np.maximum(0.0, 0.85 - chance)]))
        scale_answer = np.choose(mood, [rng.integers(4, 6, size=len(mood)), np.full(len(mood), 3), rng.integers(1, 3, size=len(mood))]).astype(str)
        yes_no = (item == 3) & np.isin(row_vision, YES_NO_VISIONS)
        frame = pd.DataFrame({
            "respondent_ref": [f"R{year}-{r + 1:05d}" for r in row_respondent],
            "collected_by": collected_by[row_respondent],
            "collection_date": collected_text[row_respondent],
            "la_code": la_code[row_respondent],
            "respondent_group": np.array(GROUPS, dtype=object)[group[row_respondent]],
            "vision_id": row_vision.astype(str),
            "item_id": [f"V{v}_Q{i}" for v, i in zip(row_vision, item)],
            "answer": np.where(yes_no, np.array(["yes", "not_sure", "no"], dtype=object)[mood], scale_answer),
            "consent_to_quote": consent[row_respondent],
        })
        positive = mood == 0
        has_text = rng.random(len(frame)) < FREE_TEXT_SHARE
        frame["free_text"] = ""
        frame.loc[has_text, "free_text"] = _free_text(rng, int(has_text.sum()), positive[has_text])
        frame.insert(0, "response_id", [f"TPS-{year}-{n:06d}" for n in range(1, len(frame) + 1)])
        files.append(AgencyFile("TPS", RESPONSES, str(year), frame[list(RESPONSE_COLUMNS)], person[row_respondent]))
    return files


def _evidence_files(world: World) -> list[AgencyFile]:
    """Coded qualitative evidence under the three lenses, tagged with a Plan 24-30 theme from the reference list."""
    rng = world.rng(EVIDENCE)
    themes = world.reference.themes["theme"].to_numpy(dtype=object)
    files: list[AgencyFile] = []
    for year in periods.EXPERIENCE_YEARS:
        count = world.scaled(EVIDENCE_NATIONAL, minimum=12)
        lens = choose_by_probability(rng, np.tile(_LENS_MIX, (count, 1)))
        theme = themes[rng.integers(0, len(themes), size=count)]
        has_quote = rng.random(count) < 0.7
        quotes = _free_text(rng, count, lens == 0)
        collected = np.sort(periods.day(year, 1, 1) + rng.integers(0, 365, size=count))
        frame = pd.DataFrame({
            "evidence_id": [f"EV-{year}-{n:04d}" for n in range(1, count + 1)],
            "source": [_SOURCES[rng.integers(0, len(_SOURCES))].format(place=PLACES[rng.integers(0, len(PLACES))]) for _ in range(count)],
            "collected_date": periods.iso(collected),
            "vision_id": (rng.integers(0, 10, size=count) + 1).astype(str),
            "lens": np.array(LENSES, dtype=object)[lens],
            "theme": theme,
            "summary": [_SUMMARIES[LENSES[k]].format(theme=t.lower()) for k, t in zip(lens, theme)],
            "quote": np.where(has_quote, quotes, ""),
            "consent_to_quote": np.where(rng.random(count) < 0.6, "Y", "N"),
        })
        files.append(AgencyFile("TPS", EVIDENCE, str(year), frame[list(EVIDENCE_COLUMNS)], not_about_people(count)))
    return files


def build(world: World) -> list[AgencyFile]:
    """Survey answers and engagement evidence."""
    return _response_files(world) + _evidence_files(world)
