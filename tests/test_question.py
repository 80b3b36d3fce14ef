from searchlib.query import And, Word, drop_answer_nouns, parse_plain


def words(text: str) -> list[str]:
    node = drop_answer_nouns(parse_plain(text))
    if isinstance(node, Word):
        return [node.text]
    assert isinstance(node, And)
    return [w.text for w in node.children if isinstance(w, Word)]


def test_answer_noun_after_a_question_word_is_dropped():
    assert words("Apa nama perusahaan China itu?") == ["Apa", "perusahaan", "China", "itu?"]
    assert words("Berapakah jumlah korban banjir") == ["Berapakah", "korban", "banjir"]
    assert words("Di mana letak Pulau Makassar?") == ["Di", "mana", "Pulau", "Makassar?"]


def test_answer_noun_before_a_question_word_is_dropped():
    assert words("Tanggal berapa pemilu digelar?") == ["berapa", "pemilu", "digelar?"]
    assert words("pemilu digelar tanggal berapa?") == ["pemilu", "digelar", "berapa?"]


def test_answer_noun_away_from_a_question_word_is_kept():
    assert words("jumlah penduduk Jakarta") == ["jumlah", "penduduk", "Jakarta"]
    assert words("Siapa yang memberi nama kapal itu?") == [
        "Siapa",
        "yang",
        "memberi",
        "nama",
        "kapal",
        "itu?",
    ]


def test_topic_noun_next_to_a_question_word_is_kept():
    assert words("Siapa presiden Prancis?") == ["Siapa", "presiden", "Prancis?"]
    assert words("Tahun berapa film itu dibuat?") == ["Tahun", "berapa", "film", "itu", "dibuat?"]


def test_question_of_only_question_and_answer_words_is_unchanged():
    node = parse_plain("apa nama?")
    assert drop_answer_nouns(node) is node


def test_single_word_and_other_nodes_pass_through():
    node = parse_plain("nama")
    assert drop_answer_nouns(node) is node


def test_words_are_matched_without_case_or_punctuation():
    assert words("APAKAH NAMA, kapal itu") == ["APAKAH", "kapal", "itu"]
    assert words("(siapa) nama ibunya") == ["siapa", "ibunya"]


def test_plain_search_ranks_the_answer_over_a_passage_that_only_says_nama(tmp_path):
    from searchlib import Index

    docs = [
        {"id": "answer", "body": "Petrochina, perusahaan minyak di Riau."},
        {"id": "nama", "body": "Nama perusahaan minyak di Riau itu belum diumumkan hari ini."},
    ]
    docs += [{"id": f"d{i}", "body": f"berita olahraga nomor {i}"} for i in range(10)]
    with Index.create(tmp_path / "ix") as index:
        index.add(docs)
        question = "Apa nama perusahaan minyak di Riau?"
        assert index.search(question, syntax="plain").hits[0].id == "answer"
        # The query language takes every word as typed.
        hits = index.search("nama perusahaan minyak", syntax="query").hits
        assert [h.id for h in hits] == ["nama"]
