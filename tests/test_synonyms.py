"""Acronyms and equivalents (analyzers/acronyms-id.txt, searchlib.query.synonyms): a query in
one form finds documents written in another, at query time, with both forms highlighted."""

from __future__ import annotations

import pytest
import yaml

from searchlib import ConfigError, Index
from searchlib.config import load_config
from searchlib.query import (
    And,
    Forms,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    parse_plain,
    parse_query,
)
from searchlib.query.synonyms import (
    Synonyms,
    SynonymSettings,
    builtin_groups,
    parse_form,
    parse_groups,
    synonyms_for,
)

TEXT_FIELDS = ("title", "body", "author")
#: What a form the user did not type counts for, per word of the form typed over the
#: added form's words (a phrase scores about the sum of its words).
W = SynonymSettings.weight
DOCS = [
    {"id": "long", "body": "Komisi Pemberantasan Korupsi memeriksa tiga saksi kasus suap."},
    {"id": "short", "body": "Penyidik KPK menahan seorang bupati usai operasi tangkap tangan."},
    {"id": "scattered", "body": "Komisi desa membahas pemberantasan hama, bukan korupsi."},
    {"id": "as", "body": "Pemerintah Amerika Serikat menaikkan tarif impor baja."},
    {"id": "axle", "body": "Mekanik mengganti as roda truk yang patah di jalan tol."},
]


@pytest.fixture(scope="module")
def builtin() -> Synonyms:
    return synonyms_for(SynonymSettings(expand=True), TEXT_FIELDS)


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    path = tmp_path_factory.mktemp("synonyms") / "ix"
    with Index.create(path, {"synonyms": {"expand": True}}) as index:
        index.add(DOCS)
    index = Index.open(path)
    yield index
    index.close()


def ids(index: Index, query: str, **kw) -> set[str]:
    return {hit.id for hit in index.search(query, **kw).hits}


# -- the shipped list ---------------------------------------------------------------------


def test_expansion_is_on_unless_the_config_turns_it_off(tmp_path):
    assert load_config(None).synonyms.expand is True
    with Index.create(tmp_path / "ix") as index:
        index.add(DOCS)
        assert ids(index, "KPK") == {"short", "long"}
    with Index.open(tmp_path / "ix", {"synonyms": {"expand": False}}) as index:
        assert ids(index, "KPK") == {"short"}
    node = parse_query("KPK")
    assert synonyms_for(SynonymSettings(expand=False), TEXT_FIELDS).expand(node) == node


def test_the_shipped_list_has_the_news_acronyms_with_their_long_forms():
    groups = {g[0]: [parse_form(f)[0] for f in g[1:]] for g in builtin_groups()}
    assert len(groups) >= 150
    assert groups["KPK"] == ["Komisi Pemberantasan Korupsi"]
    assert groups["DPR"] == ["Dewan Perwakilan Rakyat"]
    assert groups["Pemilu"] == ["pemilihan umum"]
    assert groups["AS"] == ["Amerika Serikat"]
    assert groups["PBB"] == ["Perserikatan Bangsa-Bangsa"]
    assert groups["BI"] == ["Bank Indonesia"]
    assert groups["OJK"] == ["Otoritas Jasa Keuangan"]
    assert groups["BPS"] == ["Badan Pusat Statistik"]
    assert groups["KPU"] == ["Komisi Pemilihan Umum"]
    assert groups["Bawaslu"][0] == "Badan Pengawas Pemilihan Umum"
    assert groups["Polri"][0] == "Kepolisian Negara Republik Indonesia"
    assert groups["TNI"] == ["Tentara Nasional Indonesia"]
    assert groups["BUMN"] == ["Badan Usaha Milik Negara"]
    assert groups["Kemenkeu"] == ["Kementerian Keuangan"]
    assert "PT" not in groups  # Perseroan Terbatas or Pengadilan Tinggi: left out


def test_no_form_is_in_two_shipped_groups():
    seen: dict[str, str] = {}
    for group in builtin_groups():
        for form in group:
            key = parse_form(form)[0].lower()
            assert key not in seen, f"{form!r} is in the groups {seen[key]!r} and {group[0]!r}"
            seen[key] = group[0]


# -- the expansion --------------------------------------------------------------------------


def test_an_acronym_also_searches_its_long_form_as_a_phrase(builtin):
    assert builtin.expand(parse_query("KPK")) == Forms(
        (Word("KPK"), Phrase("Komisi Pemberantasan Korupsi", boost=W * 1 / 3))
    )
    assert builtin.expand(parse_query("kpk periksa")) == And(
        (
            Forms((Word("kpk"), Phrase("Komisi Pemberantasan Korupsi", boost=W * 1 / 3))),
            Word("periksa"),
        )
    )


def test_a_typed_long_form_keeps_its_words_and_adds_the_acronym(builtin):
    typed = And((Word("Amerika"), Word("Serikat")))
    assert builtin.expand(parse_query("Amerika Serikat tarif")) == And(
        (Forms((typed, Word("AS", boost=W * 2 / 1))), Word("tarif"))
    )


def test_the_longest_listed_form_wins(builtin):
    node = builtin.expand(parse_query("Komnas HAM"))
    assert node == Forms(
        (
            And((Word("Komnas"), Word("HAM"))),
            Phrase("Komisi Nasional Hak Asasi Manusia", boost=W * 2 / 5),
        )
    )
    assert (
        Phrase("Peraturan Pemerintah", boost=W * 2 / 2)
        not in builtin.expand(parse_query("Satpol PP")).children
    )


def test_plain_queries_get_the_other_forms_as_one_more_alternative(builtin):
    node = parse_plain("ketua KPK baru")
    group = Forms((Word("KPK"), Phrase("Komisi Pemberantasan Korupsi", boost=W * 1 / 3)))
    assert builtin.expand(Or(node.children)) == Or((Word("ketua"), group, Word("baru")))
    # A long form's words stay alternatives of their own: a question need not hold them all.
    node = parse_plain("siapa ketua komisi pemberantasan korupsi")
    words = Or((Word("komisi"), Word("pemberantasan"), Word("korupsi")))
    assert builtin.expand(Or(node.children)).children[2:] == (
        Forms((words, Word("KPK", boost=min(1.0, W * 3)))),
    )


def test_a_query_that_names_two_forms_of_a_group_is_taken_as_written(builtin):
    # Newsroom prose spells the long form and its acronym out together.
    for query in ("Menteri Keuangan (Menkeu) Purbaya", "KPK dan Komisi Pemberantasan Korupsi"):
        node = parse_plain(query)
        assert builtin.expand(node) == node
        assert builtin.expand(Or(node.children)) == Or(node.children)
    # Another group in the same query still expands.
    node = builtin.expand(parse_plain("Menkeu Menteri Keuangan KPK"))
    assert isinstance(node, And) and isinstance(node.children[-1], Forms)


def test_a_group_scores_as_its_best_form(tmp_path):
    """A document that writes the typed form scores as it does without the expansion, even
    where it also writes the other form (the name counts once); one that writes only the
    other form is found, below them."""
    docs = [
        {"id": "both", "body": "KPK atau Komisi Pemberantasan Korupsi menggeledah kantor dinas."},
        {"id": "typed", "body": "KPK pagi ini menggeledah kantor dinas pendidikan."},
        {"id": "other", "body": "Komisi Pemberantasan Korupsi menggeledah kantor dinas."},
    ]
    with Index.create(tmp_path / "ix", {"synonyms": {"expand": True}}) as index:
        index.add(docs)
        on = {h.id: h.score for h in index.search("KPK geledah", collapse=False).hits}
    with Index.open(tmp_path / "ix", {"synonyms": {"expand": False}}) as index:
        off = {h.id: h.score for h in index.search("KPK geledah", collapse=False).hits}
    assert set(off) == {"both", "typed"}
    assert on["both"] == pytest.approx(off["both"])
    assert on["typed"] == pytest.approx(off["typed"])
    assert on["other"] < min(on["both"], on["typed"])


@pytest.mark.parametrize(
    "query",
    ['"KPK"', "KPK*", "KPK~", "category:kpk", "source:KPK", '"Amerika Serikat"'],
)
def test_quotes_wildcards_and_keyword_fields_are_taken_as_written(builtin, query):
    node = parse_query(query)
    assert builtin.expand(node) == node


def test_text_field_prefixes_and_exclusions_carry_over(builtin):
    assert builtin.expand(parse_query("title:KPK")) == Forms(
        (Word("KPK", "title"), Phrase("Komisi Pemberantasan Korupsi", "title", boost=W * 1 / 3))
    )
    assert builtin.expand(parse_query("-AS")) == Not(
        Forms((Word("AS"), Phrase("Amerika Serikat", boost=W * 1 / 2)))
    )
    assert builtin.expand(parse_query("KPK*")) == Prefix("KPK")


def test_short_or_ordinary_word_forms_expand_only_in_capitals(builtin):
    # "as" is an axle and an English word; "ham" is ham: only AS and HAM are the acronyms.
    for query in ("as roda", "As roda", "ham", "bi"):
        assert builtin.expand(parse_query(query)) == parse_query(query)
    assert builtin.expand(parse_query("AS")) == Forms(
        (Word("AS"), Phrase("Amerika Serikat", boost=W * 1 / 2))
    )
    assert builtin.expand(parse_query("HAM")) == Forms(
        (Word("HAM"), Phrase("hak asasi manusia", boost=W * 1 / 3))
    )
    # Longer forms that are no ordinary word are recognised in any case.
    assert builtin.expand(parse_query("polri")) != parse_query("polri")


def test_a_query_without_listed_forms_is_returned_unchanged(builtin):
    node = parse_query("harga cabai naik -impor title:pasar")
    assert builtin.expand(node) is not None
    assert builtin.expand(node) == node


# -- searching --------------------------------------------------------------------------


def test_either_form_finds_documents_written_in_the_other(ix):
    assert ids(ix, "KPK") == {"long", "short"}
    assert ids(ix, "Komisi Pemberantasan Korupsi") >= {"long", "short"}
    assert ids(ix, "Amerika Serikat tarif") == {"as"}
    assert "as" in ids(ix, "AS tarif", syntax="plain")


def test_the_long_form_is_matched_as_a_phrase_not_as_any_of_its_words(ix):
    # "scattered" has komisi, pemberantasan and korupsi, but not together.
    assert "scattered" not in ids(ix, "KPK")
    assert "scattered" not in ids(ix, "KPK saksi", syntax="plain")


def test_each_document_scores_its_own_best_form(tmp_path):
    """The group's score at a document is the best of the forms found there, never a score
    another form has at a later document."""
    docs = [
        {"id": "weak", "body": "alfa " + "kata lain yang panjang sekali " * 8},
        {"id": "strong", "body": "beta beta beta beta"},
    ]
    config = {"synonyms": {"expand": True, "weight": 1.0, "add": {"alfa": "beta"}}}
    with Index.create(tmp_path / "ix", config) as index:
        index.add(docs)
        on = {h.id: h.score for h in index.search("alfa", collapse=False).hits}
    with Index.open(tmp_path / "ix", {"synonyms": {"expand": False}}) as index:
        (weak,) = index.search("alfa", collapse=False).hits
        (strong,) = index.search("beta", collapse=False).hits
    assert on == pytest.approx({"weak": weak.score, "strong": strong.score})


def test_quotes_search_only_the_form_as_typed(ix):
    assert ids(ix, '"KPK"') == {"short"}
    assert ids(ix, "as roda") == {"axle"}


def test_matches_of_either_form_are_highlighted(ix):
    hits = {h.id: h.snippet for h in ix.search("KPK").hits}
    assert hits["long"].startswith("[Komisi] [Pemberantasan] [Korupsi] memeriksa")
    assert "[KPK]" in hits["short"]
    hits = {h.id: h.snippet for h in ix.search("Amerika Serikat").hits}
    assert "[Amerika] [Serikat]" in hits["as"]


def test_expansion_is_a_query_time_setting(ix, tmp_path):
    """Turning it off, or adding a group, needs no reindex: the same index opens with it."""
    off = Index.open(ix.path, {"synonyms": {"expand": False}})
    assert ids(off, "KPK") == {"short"}
    off.close()
    config = {"synonyms": {"expand": True, "add": {"lembaga antirasuah": "KPK"}}}
    with Index.open(ix.path, config) as added:
        assert ids(added, "lembaga antirasuah") == {"short"}


# -- configuration --------------------------------------------------------------------------


def test_config_adds_replaces_and_removes_groups(tmp_path):
    config = load_config(
        {
            "synonyms": {
                "add": {
                    "KPK": ["Komisi Pemberantasan Korupsi", "lembaga antirasuah"],
                    "Jokowi": "Joko Widodo",
                },
                "remove": ["Amerika Serikat"],
                "expand": True,
            }
        }
    )
    synonyms = synonyms_for(config.synonyms, TEXT_FIELDS)
    assert synonyms.expand(parse_query("KPK")) == Forms(
        (
            Word("KPK"),
            Phrase("Komisi Pemberantasan Korupsi", boost=W * 1 / 3),
            Phrase("lembaga antirasuah", boost=W * 1 / 2),
        )
    )
    assert synonyms.expand(parse_query("jokowi")) == Forms(
        (Word("jokowi"), Phrase("Joko Widodo", boost=W * 1 / 2))
    )
    assert synonyms.expand(parse_query("AS")) == Word("AS")
    assert load_config(config.to_dict()).synonyms == config.synonyms


def test_a_list_file_extends_the_shipped_list_or_replaces_it(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "mine.txt").write_text(
        "# our desk's own\nDKI = Daerah Khusus Jakarta\nPemprov = Pemerintah Provinsi\n",
        encoding="utf-8",
    )
    path = tmp_path / "searchlib.yaml"
    mine = {"file": "lists/mine.txt", "expand": True}
    path.write_text(yaml.safe_dump({"synonyms": mine}), encoding="utf-8")
    config = load_config(path)
    assert config.synonyms.file == str((tmp_path / "lists" / "mine.txt").resolve())
    synonyms = synonyms_for(config.synonyms, TEXT_FIELDS)
    assert synonyms.expand(parse_query("DKI")) == Forms(
        (Word("DKI"), Phrase("Daerah Khusus Jakarta", boost=W * 1 / 3))
    )
    assert synonyms.expand(parse_query("KPK")) != Word("KPK")  # the shipped list stays

    path.write_text(
        yaml.safe_dump({"synonyms": {**mine, "builtin": False}}),
        encoding="utf-8",
    )
    alone = synonyms_for(load_config(path).synonyms, TEXT_FIELDS)
    assert len(alone) == 2
    assert alone.expand(parse_query("KPK")) == Word("KPK")


def test_a_bad_list_line_names_the_file_and_line(tmp_path):
    (tmp_path / "mine.txt").write_text("KPK = Komisi Pemberantasan Korupsi\nDKI\n", "utf-8")
    path = tmp_path / "searchlib.yaml"
    path.write_text("synonyms: {file: mine.txt}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"searchlib.yaml: synonyms.file: .*mine.txt:2: "):
        load_config(path)
    path.write_text("synonyms: {file: absent.txt}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"synonyms.file: cannot read .*absent.txt"):
        load_config(path)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"expand": "yes"}, "synonyms.expand must be true/false"),
        ({"add": ["KPK"]}, "synonyms.add must be a mapping"),
        ({"add": {"KPK": 3}}, "synonyms.add.KPK: every form must be a string"),
        ({"add": {"KPK": []}}, "synonyms.add.KPK: a group needs two or more forms"),
        ({"add": {"KPK": ["kpk"]}}, "a form is listed twice"),
        ({"remove": [1]}, "every item of synonyms.remove must be a string"),
        ({"file": 3}, "synonyms.file must be a string or null"),
        ({"lists": []}, "unknown key 'synonyms.lists'"),
    ],
)
def test_invalid_synonym_settings_name_the_key(section, message):
    with pytest.raises(ConfigError, match=message):
        load_config({"synonyms": section})


def test_list_lines_are_forms_separated_by_equals_signs():
    groups = parse_groups("# note\n\nA1 = alpha satu = !ALF  # trailing\n", "x.txt")
    assert groups == [("A1", "alpha satu", "!ALF")]
    with pytest.raises(ConfigError, match=r"x.txt:1: an empty form"):
        parse_groups("KPK = \n", "x.txt")


def test_a_form_the_user_did_not_type_ranks_below_the_typed_one(ix, tmp_path):
    # "long" writes the long form, "short" the acronym: each query ranks its own form first.
    assert [h.id for h in ix.search("KPK").hits] == ["short", "long"]
    found = [h.id for h in ix.search("Komisi Pemberantasan Korupsi").hits]
    assert found.index("long") < found.index("short")
    assert ix.search("KPK saksi", syntax="plain").hits[0].id == "long"


def test_the_added_forms_weight_is_a_setting(tmp_path):
    assert load_config({"synonyms": {"weight": 0.5}}).synonyms.weight == 0.5
    for bad in (0, 1.5, -0.2):
        with pytest.raises(ConfigError, match=r"synonyms\.weight must be above 0 and at most 1"):
            load_config({"synonyms": {"weight": bad}})
