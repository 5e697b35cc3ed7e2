"""Synthetic agency data for the Promise Story of Progress: one fictional Scotland, many agencies.

Why
---
The pipeline has to be built, tested and demonstrated without real children's
records. This package invents one population of children across Scotland's 32
councils and writes every agency dataset in ``DOMAIN.md`` from it, as the
agencies would send it - with the identifier mistakes they make - together with
the truth needed to score linkage and back-test measures.

Run
---
::

    python -m synthetic --scale tiny|demo|national --seed N --out DATA_DIR [--calibrate FILE]

or ``synthetic.generate.generate(out_dir, scale, seed, calibrate)``, which returns
a ``GenerationSummary`` (people simulated, rows per dataset, files written).
Progress is printed to stderr as counted steps. The same arguments always give
byte-identical files; ``--out`` must not already hold landing files.

Reference tables come from the shared folder (``STORY_SHARED_DIR``, default
``shared/`` beside the repository): councils and their former codes, Plan 24-30
themes, vision statements, published indicator values and the published
looked-after-by-placement table. Nothing in them is hard-coded here.

Scales
------
``national`` is Scotland's size: about 1.02 million children aged 0-17 (1.4
million people born March 2000 to July 2025), 11,800-14,500 looked after at 31
July (the published series), 3,000-4,100 starting and 3,300-4,300 ceasing each
year, 6% of looked after children with three or more placements in a year,
51,000-56,000 school leavers a year (about 900 of them looked after in their
last school year: 70% in a positive destination nine months on, against 94%),
10-15,000 exclusions and 11-15,000 hearings referrals a year, 170-250 secure
admissions a year (15% from England, Wales and Northern Ireland), 20-40
under-18s in custody at each census and 2,500-3,700 restraint incidents a year.
``demo`` is a tenth and ``tiny`` a fiftieth of that, with at least five
children looked after in every council. A national run takes about 30 seconds
and under 1 GB of memory.

What is written
---------------
``DATA_DIR/landing/<agency>/<dataset>/<dataset>_<agency>_<period>.csv``: UTF-8,
header row, commas, ISO dates, empty strings for missing values, ``Y``/``N``
flags, sex ``M``/``F``, exactly the contract's columns. Agencies are councils
(GSS codes), SCRA, CI, SPS, NRS, SG, TPS, secure care providers SCP01-SCP05
and organisations ORG001-ORG012. Years: social work 2019-2024 (years ending 31
July), school 2018-19 to 2023-24, spend 2019-20 to 2023-24, calendar 2019-2024,
population 2018-2024, experience 2023-2025, Q3 returns 2025-H1 and 2025-H2.
The four councils recoded in 2018-19 put their former code in ``la_code`` of
their 2019 looked after return only.

``DATA_DIR/ground_truth/`` mirrors every landing file with ``row_number,
true_person_id`` (empty for rows about no one), and adds
``looked_after_31_july.csv`` (true counts by year, council and placement type)
and ``identifier_error_rates.json`` (stated and realised error rates).

Identifier quality
------------------
Rates are the constants in ``synthetic.identifier_errors``; each error is drawn
independently per record:

==========================  =====  ===========================================================
error                       rate   of which records
==========================  =====  ===========================================================
chi_missing                 15%    records in CHI-carrying files for people who have a CHI
chi_mistyped                 2%    records with a CHI: one digit changed, so the check digit fails
chi_other_person             0.2%  records with a CHI: a brother's or sister's valid CHI
scn_missing                 20%    school-age records outside education (always missing under 5)
scn_missing_education        1%    school-age records in school_leavers and school_exclusions
scn_mistyped                 2%    records with an SCN: one digit changed
forename_variant             5%    all records ("Jamie" for "James", "Katie" for "Katherine")
forename_typo                3%    all records: one substitution, deletion or transposition
surname_typo                 3%    all records: the same kinds of slip
surname_changed              1%    all records: a new surname or a double-barrelled one
dob_day_month_swapped        1%    records whose day and month can be swapped to a valid date
dob_digit_typo               1%    all records: one digit of year, month or day changed
postcode_moved               5%    records with a postcode: another address in the same council
postcode_missing             5%    records with a postcode
==========================  =====  ===========================================================

Twins (1.5% of births), siblings sharing surname and postcode, common names and
same-name-same-birthday strangers make linkage a real problem. Measured on a
demo run over the six person-level datasets: exact-key linkage (valid CHI, SCN,
or name and date of birth) reaches pairwise precision 0.975 and recall 0.958; a
simple scored linker (near-miss identifiers, nicknames, council) reaches 0.999
and 0.986. What stays unlinkable is mostly exclusions (SCN, date of birth and
council only) of children whose other records lack an SCN.

Calibration
-----------
``--calibrate FILE`` takes the columns of
``reference/looked_after_by_placement_national.csv``. For each year in it the
children looked after at 31 July - distinct ``(la_code, child_ref)`` by the type
of the placement covering 31 July, summed over councils - equal the file exactly,
whatever the scale (council totals by largest-remainder rounding). The
population is then enlarged so care rates stay realistic, and the other
datasets keep the chosen scale by drawing only from a matching sample of
families; years not in the file, and population estimates, stay at the chosen
scale, so rates per 1,000 in calibrated years are only meaningful at national
scale.
"""
