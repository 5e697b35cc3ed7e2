"""Forenames and surnames of the fictional population, with the variants people use.

Names are drawn with popularity weights so common names collide the way they do
in Scotland (many Smiths and Campbells, a long tail of rarer names), which is
what makes linkage on names alone unsafe. Each forename group lists the forms a
person may be recorded under by different agencies ("James", "Jamie", "Jim");
a weight of 0 marks a form used as a variant but never registered at birth.
A few Gaelic and accented forms keep the files honest about UTF-8.
"""

from __future__ import annotations

import numpy as np

_MALE_GROUPS = """
James:30 Jamie:14 Jim:0 Jimmy:0
John:14 Johnny:0 Jack:32
William:10 Will:0 Billy:0 Liam:16
Robert:9 Rob:0 Robbie:5 Bobby:0
Alexander:14 Alex:6 Sandy:0 Alasdair:2 Alistair:2
Andrew:9 Andy:0 Drew:1
Daniel:14 Danny:2 Dan:0
Michael:10 Mike:0 Mikey:0
Thomas:12 Tom:0 Tommy:1
Matthew:10 Matt:0
Christopher:6 Chris:0
Joseph:8 Joe:0 Joey:0
Benjamin:6 Ben:3
Samuel:8 Sam:2 Sammy:0
Joshua:12 Josh:0
Nicholas:2 Nick:0 Nicky:0
Anthony:3 Tony:0
Jonathan:3 Jon:0
Stephen:4 Steven:4 Steve:0
Edward:3 Eddie:0 Ed:0
Charles:3 Charlie:14
Harrison:4 Harry:16
Oliver:18 Ollie:1
Frederick:2 Freddie:4
Archibald:0 Archie:14
Finlay:10 Finn:4
Mohammed:4 Muhammad:3 Mohammad:2
Aiden:4 Aidan:3
Connor:10 Conor:3
Sean:6 Shaun:2 Seán:0
Patrick:4 Paddy:0
Gregor:2 Greg:0
Callum:16 Calum:4
Lewis:16 Louis:3
Cameron:10 Cammy:0
Kieran:6 Ciaran:3
Euan:8 Ewan:7
Ruaridh:2 Ruairidh:1 Rory:10
Dylan:9 Dillon:0
Kyle:8 Kai:3
Nathan:8 Nate:0
Ethan:12 Eathan:0
Lucas:10 Luke:8
David:9 Dave:0 Davie:0
Scott:7 Scotty:0
Craig:5 Graig:0
Ross:6 Rossi:0
""".strip()

_MALE_SINGLES = (
    "Noah:14 Leo:12 Oscar:9 Logan:14 Mason:7 Harris:5 Jacob:7 Aaron:7 Jordan:6 Blair:3 Fraser:6 Murray:3 "
    "Rhys:3 Reece:3 Max:7 Adam:9 Ryan:12 Hamish:2 Angus:3 Fergus:2 Innes:1 Struan:1 Arran:2 Brodie:3 "
    "Cole:2 Declan:2 Owen:4 Tyler:5 Zak:2 Ali:3 Hassan:1 Kacper:1 Jakub:2 Filip:1 Oskar:2 Tomasz:1 "
    "Mark:5 Paul:4 Gary:2 Martin:3 Kenneth:1 Iain:2 Ian:2 Neil:2 Grant:2 Gavin:2 Darren:2 Stuart:3"
)

_FEMALE_GROUPS = """
Katherine:3 Katie:10 Kate:2 Kathryn:2 Catherine:4 Cat:0
Elizabeth:4 Liz:0 Beth:2 Lizzie:0 Eliza:2
Margaret:1 Maggie:1 Peggy:0
Rebecca:6 Becky:0 Becca:0
Jennifer:3 Jenny:1 Jen:0
Samantha:4 Sam:0 Sammy:0
Victoria:4 Vicky:0 Tori:0
Alexandra:2 Alex:0 Lexi:3
Jessica:10 Jess:0 Jessie:2
Abigail:5 Abbie:4 Abby:2
Olivia:22 Liv:0 Livvy:0
Amelia:14 Millie:8 Amy:10
Isabella:5 Bella:1 Izzy:0
Isabelle:3 Isobel:3 Isla:22
Charlotte:10 Lottie:1 Charley:1
Eleanor:3 Ellie:14 Nell:0
Emily:18 Emmy:0
Sophie:16 Sophia:8
Hannah:10 Hana:1
Caitlin:10 Kaitlyn:2 Katelyn:1
Megan:10 Meg:0
Chloe:14 Chloé:1
Zoe:5 Zoë:1
Nicole:4 Nikki:0
Christine:2 Chrissie:0
Kirsty:4 Kirstie:1 Kirsten:2
Rachel:5 Rach:0
Louise:3 Lou:0
Morag:1 Mòrag:1
Seonaid:1 Seònaid:1 Shona:2
Eilidh:6 Eily:0
Niamh:6 Neve:1
Gemma:3 Jemma:2
Leah:7 Lea:1
Lucy:10 Lucie:1
Erin:12 Eryn:1
Ruby:10 Rubie:0
Anna:6 Annie:2 Ann:1
Mia:12 Miah:0
Grace:12 Gracie:4
""".strip()

_FEMALE_SINGLES = (
    "Ava:14 Freya:14 Ella:10 Skye:5 Lily:12 Evie:10 Emma:10 Amber:6 Orla:4 Aria:4 Harper:4 Rosie:6 "
    "Holly:5 Poppy:6 Layla:5 Lauren:8 Molly:8 Paige:5 Kayla:3 Courtney:3 Shannon:3 Ayesha:2 Fatima:2 "
    "Zara:3 Maja:2 Zuzanna:1 Julia:3 Aleksandra:1 Iona:3 Catriona:2 Fiona:2 Heather:2 Ailsa:3 "
    "Rhona:1 Mhairi:3 Sarah:8 Laura:5 Claire:3 Lisa:2 Michelle:2 Nadia:1 Hollie:2 Imogen:2"
)

SURNAMES: tuple[str, ...] = tuple(
    """Smith Brown Wilson Campbell Stewart Thomson Robertson Anderson MacDonald Scott Reid Murray Taylor
Clark Ross Watson Morrison Paterson Young Mitchell Walker Fraser Miller McDonald Gray Henderson Hamilton
Johnston Duncan Graham Ferguson Kerr Davidson Bell Cameron Kelly Martin Hunter Allan Mackenzie Grant
Simpson MacKay McLean MacLeod Black Russell Marshall Wallace Gibson Kennedy Gordon Burns Sutherland
Stevenson Munro Milne Watt Murphy Craig Wood Muir Wright Ritchie Johnstone Sinclair White McMillan
Williamson Dickson Hughes Cunningham McKenzie Docherty Jamieson McIntosh Bruce Crawford Lindsay Thompson
Boyle Christie Reilly Kay Hill Green Baird Currie Moore McGregor Wilkie Bain Houston Whyte Mackie Love
Shaw Jackson Gallacher Rae Weir Rose Hay McKay Morton Dunn Lawson Little Hogg Barr Nicol McLaughlin
McCallum Riddell Cowan Hendry Fleming Lamont Irvine Findlay Donaldson Aitken Hutchison Kidd Lyon
Mathieson Quinn Armstrong Adams Davies Jones Roberts Evans Harris Lees Millar Ogilvie Elliot Armour
Strachan Buchanan Sweeney McGuire McCann Devlin Boyd MacPherson McPherson Ramsay Lynch McFarlane Moffat
Nelson Pollock O'Neill O'Donnell McAllister MacAulay MacInnes MacKinnon Morrison-Bell Drummond Forbes
Keith Leslie Urquhart Gunn Mowat Flett Rendall Tulloch Isbister Jamieson-Hay MacNeil MacIver Nicolson
Gillies Matheson Macrae Cochrane Galbraith Bryce Tennant Hastie Paton Dalziel Baxter Halliday Laidlaw
Renwick Turnbull Scobie Geddes Imrie Husband Birrell Fyfe Lumsden Anstruther Brodie Cairns Kirk Neilson
Ure Rankin Gilmour Kilpatrick Semple Orr Lockhart McCulloch Hannah Carson McBride Gallagher Doherty
Friel Coyle Bonnar Khan Ali Ahmed Hussain Shah Iqbal Singh Kaur Patel Akhtar Nowak Kowalski Wiśniewski
Kaminski Lewandowski Zielinski Okafor Mensah Adeyemi Chen Wong Li Nguyen Rossi Conti Bianchi Marino
Cruickshank Chalmers Mearns Duthie Skene Cormack Dunbar Innes Petrie Pirie Bremner Lennox McNeill Cassidy
Hendrie Marr Nisbet Young-Kerr Wylie Kinnear Sneddon Prentice Moodie Haggerty Welsh English French""".split()
)


def _parse_groups(text: str) -> list[list[tuple[str, float]]]:
    return [[(item.split(":")[0], float(item.split(":")[1])) for item in line.split()] for line in text.splitlines()]


def _build() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    names: list[str] = []
    weights: list[float] = []
    male: list[bool] = []
    group: list[int] = []
    groups = [(g, True) for g in _parse_groups(_MALE_GROUPS)] + [(g, False) for g in _parse_groups(_FEMALE_GROUPS)]
    singles = [([pair], True) for pair in _parse_groups(_MALE_SINGLES.replace(" ", "\n"))] + [
        ([pair], False) for pair in _parse_groups(_FEMALE_SINGLES.replace(" ", "\n"))
    ]
    for number, (members, is_male) in enumerate(groups + [(s[0], m) for s, m in singles]):
        for name, weight in members:
            names.append(name)
            weights.append(weight)
            male.append(is_male)
            group.append(number)
    return np.array(names, dtype=object), np.array(weights), np.array(male), np.array(group)


FORENAMES, FORENAME_WEIGHTS, FORENAME_IS_MALE, FORENAME_GROUP = _build()
# Zipf-like popularity: the 1st surname is about 60 times as common as the 300th.
SURNAME_WEIGHTS = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.75


def variant_counts() -> np.ndarray:
    """How many other forms each forename has (0 = no variant to use)."""
    return np.bincount(FORENAME_GROUP)[FORENAME_GROUP] - 1


def draw_forenames(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Registered forenames (indices into ``FORENAMES``) by sex and popularity."""
    result = np.empty(len(male), dtype=np.int32)
    for is_male in (True, False):
        rows = np.flatnonzero(male == is_male)
        pool = np.flatnonzero((FORENAME_IS_MALE == is_male) & (FORENAME_WEIGHTS > 0))
        p = FORENAME_WEIGHTS[pool] / FORENAME_WEIGHTS[pool].sum()
        result[rows] = rng.choice(pool, size=len(rows), p=p)
    return result


def draw_surnames(rng: np.random.Generator, size: int) -> np.ndarray:
    """Surnames (indices into ``SURNAMES``) by popularity."""
    return rng.choice(len(SURNAMES), size=size, p=SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()).astype(np.int32)


def other_form(rng: np.random.Generator, forename: np.ndarray) -> np.ndarray:
    """Another form of each forename from its group (the caller passes only names that have one)."""
    group = FORENAME_GROUP[forename]
    first = np.searchsorted(FORENAME_GROUP, group, side="left")
    size = np.bincount(FORENAME_GROUP)[group]
    offset = (rng.integers(1, size) + (forename - first)) % size  # never the name itself
    return first + offset
