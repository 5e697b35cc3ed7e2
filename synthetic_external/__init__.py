"""People unlike ours: a second test generator, independent of ``synthetic/``, to evaluate linkage.

``synthetic/`` builds Scottish children's agency records from its own name lists and its own
error model, and the linkage was developed against it; measuring the linkage only on it would
measure how well the two were fitted to each other. This package shares no code and no lists
with it: names, addresses and postcodes come from the ``faker`` package (people of many
countries and scripts), and records are corrupted with the model of the FEBRL and GeCo
generators (Christen 2005; Christen and Vatsalan 2013): keyboard typos, OCR confusions,
phonetic variants, missing values, swapped fields, dropped diacritics, shortened and
hyphenated names, abbreviated addresses, people who moved house. Households (same surname and
address) and twins (same date of birth too) give hard pairs that are not matches.

    task = two_table_task(5_000, 5_000, LOCALE_SETS["world"], seed=4)   # two corrupted tables, each row's person
    task = dedupe_task(5_000, LOCALE_SETS["europe"], seed=5)            # one table with repeated people

Used by ``bench/linkage_external.py`` and one small test; nothing in ``assets/`` imports it.
"""
