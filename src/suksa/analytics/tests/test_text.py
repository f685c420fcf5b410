"""Thai text processing: tokens with a custom dictionary, keywords, topics, names, vectors."""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import pytest

from suksa.analytics import text as tx

CUSTOM = ["โครงการครูพี่เลี้ยง", "การนิเทศแบบกัลยาณมิตร", "สพป.นนทบุรี เขต 1", "โรงเรียนคุณภาพประจำตำบล"]

MENTORING = [
    "จับคู่ครูที่มีประสบการณ์กับครูบรรจุใหม่ สังเกตการสอนในชั้นเรียนเดือนละครั้งและให้ข้อมูลย้อนกลับทันที",
    "คัดเลือกครูพี่เลี้ยงที่มีประสบการณ์ จับคู่กับครูบรรจุใหม่ สังเกตการสอนในห้องเรียนและให้ข้อมูลย้อนกลับ",
    "ครูพี่เลี้ยงสังเกตการสอนของครูบรรจุใหม่ทุกเดือน แล้วให้ข้อมูลย้อนกลับเพื่อปรับการสอน",
]
DROPOUT = [
    "ร่วมกับองค์กรปกครองส่วนท้องถิ่นและผู้นำชุมชน ค้นหาเด็กนอกระบบรายบุคคลจากข้อมูลทะเบียนราษฎร์",
    "ตั้งศูนย์ติดตามเด็กนอกระบบระดับอำเภอ ค้นหาเด็กที่ออกกลางคันและพากลับเข้าเรียน",
    "ติดตามเด็กนอกระบบรายบุคคลร่วมกับชุมชน พาเด็กที่ออกกลางคันกลับมาเรียน",
]
BUDGET = [
    "เบิกจ่ายงบประมาณได้ตามแผน ตรวจสอบการใช้จ่ายงบประมาณของโรงเรียนรายไตรมาส และให้คำปรึกษาด้านพัสดุ",
    "ติดตามการเบิกจ่ายงบประมาณรายไตรมาส ให้คำปรึกษาด้านพัสดุและการจัดซื้อจัดจ้างแก่โรงเรียน",
    "การบริหารงบประมาณเป็นไปตามแผน เบิกจ่ายได้ตามเป้าหมายทุกไตรมาส ตรวจสอบพัสดุของโรงเรียน",
]


@pytest.fixture(scope="module")
def tok() -> tx.ThaiTokenizer:
    return tx.ThaiTokenizer(CUSTOM)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection fails the test (and is recorded)."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


class TestTokens:
    def test_a_programme_name_in_the_custom_dictionary_stays_one_token(self, tok: tx.ThaiTokenizer) -> None:
        text = "ดำเนินโครงการครูพี่เลี้ยงร่วมกับการนิเทศแบบกัลยาณมิตร"
        assert tok.tokens(text) == ["ดำเนิน", "โครงการครูพี่เลี้ยง", "ร่วมกับ", "การนิเทศแบบกัลยาณมิตร"]
        plain = tx.ThaiTokenizer([]).tokens(text)
        assert "โครงการครูพี่เลี้ยง" not in plain
        assert "โครงการ" in plain

    def test_a_name_with_a_space_stays_one_token(self, tok: tx.ThaiTokenizer) -> None:
        assert tok.tokens("รายงานของ สพป.นนทบุรี เขต 1 ปี 2569") == [
            "รายงาน",
            "ของ",
            "สพป.นนทบุรี เขต 1",
            "ปี",
            "2569",
        ]

    def test_terms_drop_stop_words_numbers_and_punctuation_and_lower_latin(
        self, tok: tx.ThaiTokenizer
    ) -> None:
        terms = tok.terms("ครูทุกคนมีชั่วโมง PLC อย่างน้อย 50 ชั่วโมง, และ Active Learning")
        assert "50" not in terms
        assert "," not in terms
        assert "และ" not in terms
        assert "ทุกคน" not in terms
        assert "plc" in terms
        assert "active" in terms
        assert "ชั่วโมง" in terms

    def test_normalise(self) -> None:
        assert tx.normalise("เเปลก\u200b  ๒๕๖๙ ก่่า") == "แปลก 2569 ก่า"

    def test_thai_stopwords_ship_with_the_package(self, no_network: list[Any]) -> None:
        assert {"และ", "ของ", "ที่"} <= tx.thai_stopwords()
        assert no_network == []


class TestKeywordsAndTopics:
    def test_keywords_are_the_distinctive_terms(self, tok: tx.ThaiTokenizer) -> None:
        kw = tx.keywords(MENTORING + DROPOUT + BUDGET, tok, top=5)
        assert len(kw.per_doc) == 9
        assert [t for t, _ in kw.group([3, 4, 5], top=2)] == ["เด็ก", "ระบบ"]
        assert [t for t, _ in kw.group([0, 1, 2], top=2)] == ["ครู", "การสอน"]
        assert kw.group([6, 7, 8], top=1)[0][0] == "งบประมาณ"
        weights = [w for _, w in kw.per_doc[0]]
        assert weights == sorted(weights, reverse=True)
        assert all(w > 0 for w in weights)

    def test_topics_separate_the_three_subjects_and_are_deterministic(self, tok: tx.ThaiTokenizer) -> None:
        texts = (MENTORING + DROPOUT + BUDGET) * 2
        kw = tx.keywords(texts, tok)
        first = tx.topics(kw, seed=7, max_k=5)
        again = tx.topics(tx.keywords(texts, tok), seed=7, max_k=5)
        assert first.labels == again.labels
        assert first.k == again.k == 3
        assert all(first.labels[j] == first.labels[j + 9] for j in range(9))
        assert len(set(first.labels[0:3])) == len(set(first.labels[3:6])) == len(set(first.labels[6:9])) == 1
        assert len({first.labels[0], first.labels[3], first.labels[6]}) == 3
        assert sum(t.size for t in first.topics) == 18
        assert all(t.keywords for t in first.topics)
        assert first.scores[3] == max(first.scores.values())

    def test_few_texts_make_one_topic(self, tok: tx.ThaiTokenizer) -> None:
        t = tx.topics(tx.keywords(MENTORING, tok))
        assert t.k == 1
        assert t.labels == [0, 0, 0]
        assert t.topics[0].size == 3

    def test_empty_texts(self, tok: tx.ThaiTokenizer) -> None:
        kw = tx.keywords(["", "  "], tok)
        assert kw.per_doc == [[], []]
        assert tx.topics(kw).k == 1


class TestNames:
    ALIASES = {
        "vpa": ["การพัฒนางานตามข้อตกลง (PA)", "PA"],
        "plc": ["PLC", "ชุมชนการเรียนรู้ทางวิชาชีพ"],
        "mentoring": ["โครงการครูพี่เลี้ยง", "ครูพี่เลี้ยง"],
    }

    def test_practices_by_aliases_in_order_of_mention(self) -> None:
        text = "ส่งเสริม PLC และโครงการครูพี่เลี้ยง ครูทำ PA ทุกคน; PAPER และ plcx ไม่นับ"
        assert tx.find_aliases(text, self.ALIASES) == ["plc", "mentoring", "vpa"]
        assert tx.find_aliases("ส่ง PAPER ทาง APA", self.ALIASES) == []
        assert tx.find_aliases("การพัฒนางานตามข้อตกลง (PA) ของครู", self.ALIASES) == ["vpa"]

    def test_school_names_give_codes(self) -> None:
        names = {"โรงเรียนบ้านนา": "1001", "โรงเรียนบ้านนาดี": "1002", "โรงเรียนวัดใหม่": "1003"}
        assert tx.find_names("โรงเรียนบ้านนาดีเป็นต้นแบบ ร่วมกับ รร.วัดใหม่", names) == ["1002", "1003"]
        assert tx.find_names("โรงเรียนบ้านนาเป็นต้นแบบ", names) == ["1001"]
        assert tx.find_names("ไม่มีชื่อโรงเรียน", names) == []

    def test_excerpt_centres_on_the_mention(self) -> None:
        finder = tx.NameFinder(self.ALIASES)
        text = "ก" * 300 + " โครงการครูพี่เลี้ยง " + "ข" * 300
        cut = tx.excerpt(text, ["mentoring"], finder, width=100)
        assert "โครงการครูพี่เลี้ยง" in cut
        assert cut.startswith("…")
        assert cut.endswith("…")


class TestVectors:
    def test_hashed_tfidf_ranks_a_paraphrase_above_unrelated_texts(self, tok: tx.ThaiTokenizer) -> None:
        emb = tx.HashedTfidfEmbedder(tok)
        corpus = emb.embed([MENTORING[1], DROPOUT[0], BUDGET[0], DROPOUT[1], BUDGET[1]])
        assert corpus.kind == "tfidf-hash"
        assert corpus.vectors.shape == (5, tx.DEFAULT_DIM)
        assert np.allclose(np.linalg.norm(corpus.vectors, axis=1), 1.0, atol=1e-5)
        q = emb.embed([MENTORING[0]]).vectors[0]
        ranked = tx.rank_similar(q, corpus.vectors, top=5)
        assert ranked[0].index == 0
        ranked_dropout = tx.rank_similar(emb.embed([DROPOUT[2]]).vectors[0], corpus.vectors, top=2)
        assert {m.index for m in ranked_dropout} == {1, 3}

    def test_same_text_same_vector_and_bytes_round_trip(self, tok: tx.ThaiTokenizer) -> None:
        a = tx.HashedTfidfEmbedder(tok).embed([BUDGET[0]]).vectors[0]
        b = tx.HashedTfidfEmbedder(tx.ThaiTokenizer(CUSTOM)).embed([BUDGET[0]]).vectors[0]
        assert np.array_equal(a, b)
        blob = tx.to_bytes(a)
        assert len(blob) == 4 * tx.DEFAULT_DIM
        back = tx.from_bytes(blob, tx.DEFAULT_DIM)
        assert back is not None
        assert np.array_equal(back, a)
        assert tx.from_bytes(blob, 128) is None
        assert tx.from_bytes(None) is None

    def test_rank_similar_excludes_and_breaks_ties_by_index(self) -> None:
        m = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
        assert [x.index for x in tx.rank_similar(np.array([1, 0]), m, centre=False)] == [0, 1, 2]
        assert [
            x.index for x in tx.rank_similar(np.array([1, 0]), m, exclude=lambda i: i == 0, centre=False)
        ] == [1, 2]
        assert tx.rank_similar(np.array([0, 0]), m, centre=False) == []
        assert tx.rank_similar(np.array([1, 0]), np.zeros((0, 2), dtype=np.float32)) == []

    def test_wordllama_loads_from_the_package_without_the_network(self, no_network: list[Any]) -> None:
        emb = tx.WordLlamaEmbedder()
        out = emb.embed(["Teacher mentoring programme", "ครูพี่เลี้ยง"])
        assert out.vectors.shape == (2, 256)
        assert out.kind.startswith("embedding:wordllama")
        assert no_network == []

    def test_wordllama_does_not_separate_thai_texts_and_tfidf_does(
        self, tok: tx.ThaiTokenizer, no_network: list[Any]
    ) -> None:
        texts = MENTORING + DROPOUT + BUDGET
        groups = ["m"] * 3 + ["d"] * 3 + ["b"] * 3
        wl = tx.separation(tx.WordLlamaEmbedder().embed(texts).vectors, groups)
        tf = tx.separation(tx.HashedTfidfEmbedder(tok).embed(texts).vectors, groups)
        # WordLlama: every Thai text sits near the same point (its tokenizer spells Thai letter by letter).
        assert wl.unrelated > 0.85
        assert wl.gap < 0.05
        assert tf.gap > 3 * wl.gap
        assert tf.top1 == 1.0
        assert no_network == []

    def test_the_default_embedder_is_tfidf_and_says_why(self, tok: tx.ThaiTokenizer) -> None:
        choice = tx.choose_embedder(tok)
        assert isinstance(choice.embedder, tx.HashedTfidfEmbedder)
        assert "TF-IDF" in choice.reason_en
        assert "TF-IDF" in choice.reason_th
        assert isinstance(tx.choose_embedder(tok, prefer="wordllama").embedder, tx.WordLlamaEmbedder)
