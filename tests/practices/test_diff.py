from app.practices.diff import compare, word_diff


def test_word_level_changes_are_marked():
    pieces = word_diff("Valmentaja tapaa kuusi työnantajaa viikossa.",
                       "Valmentaja tapaa kahdeksan työnantajaa viikossa.")
    kinds = [(p.kind, p.text) for p in pieces]
    assert ("delete", "kuusi") in kinds
    assert ("insert", "kahdeksan") in kinds
    assert "".join(p.text for p in pieces if p.kind != "insert") == (
        "Valmentaja tapaa kuusi työnantajaa viikossa.")
    assert "".join(p.text for p in pieces if p.kind != "delete") == (
        "Valmentaja tapaa kahdeksan työnantajaa viikossa.")


def test_unchanged_and_list_fields():
    diffs = compare({"title": "Sama", "regions": ["MK01"]},
                    {"title": "Sama", "regions": ["MK01", "MK10"]}, ("title", "regions"))
    assert not diffs[0].changed
    assert diffs[1].changed
    assert [p.text for p in diffs[1].pieces if p.kind == "insert"] == [", MK10"]


def test_empty_to_text():
    pieces = word_diff("", "Uusi teksti")
    assert [(p.kind, p.text) for p in pieces] == [("insert", "Uusi teksti")]
