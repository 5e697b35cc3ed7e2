from assets.reports.direction import direction_of_travel


def test_direction_is_judged_against_the_desired_direction():
    assert direction_of_travel(100, 80, "down", 5).judgement == "improving"
    assert direction_of_travel(100, 120, "down", 5).judgement == "worsening"
    assert direction_of_travel(100, 103, "down", 5).judgement == "little_change"
    assert direction_of_travel(None, 80, "down", 5).judgement == "not_assessed"
    assert "▼" == direction_of_travel(100, 80, "up", 5).symbol
