from __future__ import annotations

import pandas as pd

from assets.linkage.registry import stable_person_ids

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
