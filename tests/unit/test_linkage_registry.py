from __future__ import annotations

import pandas as pd

from assets.linkage.registry import resent_records, stable_person_ids

KEY = b"test-key"


def test_new_people_get_new_ids_and_known_people_keep_theirs():
    first = pd.DataFrame({"record_key": ["a", "b", "c"], "cluster": [0, 0, 2]})
    ids, changes = stable_person_ids(first, None, KEY)
    assert ids[0] == ids[1] != ids[2] and changes.empty
    previous = first.assign(person_id=ids)[["record_key", "person_id"]]
    # A new record "d" joins the first person; "e" is someone new.
    second = pd.DataFrame({"record_key": ["d", "a", "b", "c", "e"], "cluster": [0, 0, 0, 3, 4]})
    again, changes = stable_person_ids(second, previous, KEY)
    assert again.tolist()[:4] == [ids[0], ids[0], ids[0], ids[2]]
    assert again[4] not in set(ids) and changes.empty


def test_a_merge_keeps_the_larger_persons_id_and_reports_the_change():
    previous = pd.DataFrame({"record_key": ["a", "b", "c"], "person_id": ["P1", "P1", "P2"]})
    merged = pd.DataFrame({"record_key": ["a", "b", "c"], "cluster": [0, 0, 0]})
    ids, changes = stable_person_ids(merged, previous, KEY)
    assert set(ids) == {"P1"}
    assert changes.to_dict("records") == [{"previous_person_id": "P2", "person_id": "P1", "records": 1}]


def _rows(keys, forenames, dates, **extra):
    frame = pd.DataFrame({"record_key": keys, "forename": forenames, "date_of_birth": dates, "dataset": "d", "_agency": "S1"})
    return frame.assign(**extra)


def test_a_resent_row_keeps_the_person_of_the_row_it_repeats():
    gone = _rows(["old|1", "old|2", "old|3", "old|4"], ["ann", "ann", "bo", None], ["2010-01-01", "2010-01-01", "2011-02-02", None],
                 person_id=["P1", "P1", "P2", "P3"], linked_by=["chi", "chi", "unlinked", "unlinked"])
    # Ann's two identical rows come back once; Bo's date was corrected, so his row is new
    # evidence; the row with no identifiers matches the gone one with none (missing = missing).
    new = _rows(["new|1", "new|2", "new|3"], ["ann", "bo", None], ["2010-01-01", "2011-02-03", None])
    resent = resent_records(new, gone)
    assert sorted(zip(resent["record_key"], resent["previous_key"], resent["person_id"])) == [("new|1", "old|1", "P1"), ("new|3", "old|4", "P3")]


def test_identical_rows_of_different_persons_are_not_matched():
    gone = _rows(["old|1", "old|2"], ["cy", "cy"], ["2012-03-03"] * 2, person_id=["P1", "P2"], linked_by=["unlinked"] * 2)
    new = _rows(["new|1"], ["cy"], ["2012-03-03"])
    assert resent_records(new, gone).empty
    # Another agency's identical row is another record.
    assert resent_records(new.assign(_agency="S2"), gone.iloc[:1]).empty


def test_a_new_persons_id_comes_from_its_seeds_not_its_record_keys():
    """The same records under other keys (the file's hash differs when a return is sent split) get the same ids;
    persons whose seeds tie are served in row order, and no id the registry held is given again."""
    seeds = pd.Series(["d|S1|ann", "d|S1|bo", "d|S1|bo", "d|S1|cy"])
    combined = pd.DataFrame({"record_key": ["d|aaa|1", "d|aaa|2", "d|aaa|3", "d|aaa|4"], "cluster": [0, 1, 2, 0], "_row_number": [1, 2, 3, 4]})
    split = combined.assign(record_key=["d|fff|1", "d|fff|2", "d|fff|3", "d|fff|4"])
    ids, _ = stable_person_ids(combined, None, KEY, seeds=seeds)
    assert ids.tolist() == stable_person_ids(split, None, KEY, seeds=seeds)[0].tolist()
    assert ids[0] == ids[3] and len(set(ids)) == 3  # two different Bos with one seed get two ids
    gone = pd.DataFrame({"record_key": ["d|old|1"], "person_id": [ids[0]]})
    assert ids[0] not in set(stable_person_ids(split, gone, KEY, seeds=seeds)[0])
