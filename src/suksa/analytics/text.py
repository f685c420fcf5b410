"""Thai text processing of monitoring narratives: tokens, keywords, topics, practices, similarity.

Pure (no Django, no other suksa package), deterministic, offline. What each part does:

- **Tokens**: PyThaiNLP's ``newmm`` (maximal matching) over PyThaiNLP's own word list plus a
  *custom dictionary* (programme and practice names, ESA names — :class:`ThaiTokenizer`), so that
  ``โครงการครูพี่เลี้ยง`` or ``สพป.นนทบุรี เขต 1`` stays one token. Text is normalised first
  (Unicode NFC, PyThaiNLP's ``normalize`` for misordered or doubled vowels and tone marks, one
  space between runs). Names that contain a space are matched before ``newmm`` runs; the rest of the
  text is tokenised one space-separated run at a time, with a cache (Thai writers put a space between
  phrases, and monitoring texts repeat phrases a lot, which makes a national run fast).
- **Terms** (what keywords and topics count): tokens without Thai stop words
  (``pythainlp.corpus.thai_stopwords``, shipped in the package), numbers, punctuation and single
  characters; Latin words in lower case.
- **Keywords**: TF-IDF (scikit-learn ``TfidfVectorizer`` over the terms, sublinear tf) — the top
  terms of each document and of each group of documents (mean TF-IDF over the group).
- **Topics**: k-means on the LSA (truncated SVD) projection of the TF-IDF matrix, *k* chosen by the
  best cosine silhouette for k = 2 … ``max_k`` on a seeded sample (``choose_k``); each topic's
  keywords are the terms with the highest mean TF-IDF in it. Same seed, same topics.
- **Practices** and **schools**: found by their aliases and names (:func:`find_aliases`,
  :func:`find_names`), longest match first; Latin aliases need word boundaries (``PA`` is not
  found inside ``PAPER``).
- **Similarity**: every document gets a fixed-length vector (:class:`HashedTfidfEmbedder`, kind
  ``tfidf-hash``): sublinear term frequencies of newmm word unigrams and bigrams and of character
  3-grams, hashed (no vocabulary to store) and reduced by a seeded sparse random projection
  (Johnson–Lindenstrauss) to ``dim`` floats, L2-normalised. A query is embedded the same way with
  nothing fitted, so a stored run can be searched by a new text. Search is cosine similarity after
  centring on the corpus mean (:func:`rank_similar`), which removes what every document shares (the
  role IDF plays in TF-IDF, without an IDF table to store).

**Why not sentence embeddings.** The issue asks for multilingual sentence embeddings from a package
that ships its weights, TF-IDF as fallback. The one installed is WordLlama (``l2_supercat``, 256
dimensions, weights and tokenizer inside the wheel). :func:`load_wordllama` loads it strictly from
the package's files (``WordLlama.load`` looks for the tokenizer under ``wordllama/tokenizer/`` while
the wheel ships ``wordllama/tokenizers/``, then falls back to a download from Hugging Face). Its
Llama-2 tokenizer has almost no Thai pieces: Thai text becomes single characters and bytes, every
Thai text embeds near the same point (cosine ≈ 0.95 between unrelated texts) and a paraphrase does
not rank above an unrelated text (measured in the tests: :func:`separation`). So the index uses
the hashed TF-IDF vectors, and says so (``vector_kind``).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

TOKENIZER_ENGINE = "newmm"
HASH_FEATURES = 2**20
DEFAULT_DIM = 256
DEFAULT_SEED = 2569
CHAR_N = 3
CHAR_WEIGHT = 0.5  # character 3-grams count half as much as words in the vectors
MAX_K = 12
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^[\d.,%/:\-–+]+$")
_LATIN = re.compile(r"[A-Za-z]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_DOUBLED_MARK = re.compile("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


# --- normalisation and tokens ---------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, Thai digits to Arabic, no zero-width characters, ``เเ`` → ``แ``, a doubled vowel or
    tone mark once (the repairs of PyThaiNLP's ``normalize`` that matter for matching, with one
    compiled pattern each: PyThaiNLP's own runs dozens of patterns per call), single spaces."""
    text = unicodedata.normalize("NFC", text or "").translate(_THAI_DIGITS)
    text = _ZERO_WIDTH.sub("", text).replace("เเ", "แ")
    text = _DOUBLED_MARK.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=1)
def thai_stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords as load

    return frozenset(load())


@functools.lru_cache(maxsize=1)
def _base_words() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


@functools.lru_cache(maxsize=8)
def _trie(custom: frozenset[str]) -> Any:
    from pythainlp.util import dict_trie

    return dict_trie(set(_base_words()) | set(custom))


class ThaiTokenizer:
    """``newmm`` with PyThaiNLP's word list plus ``custom_words`` (kept whole)."""

    def __init__(self, custom_words: Iterable[str] = ()) -> None:
        words = {normalise(w) for w in custom_words if w and w.strip()}
        self.custom_words: frozenset[str] = frozenset(words)
        spaced = sorted((w for w in words if " " in w), key=lambda w: (-len(w), w))
        self._spaced = re.compile("(" + "|".join(re.escape(w) for w in spaced) + ")") if spaced else None
        self._trie = _trie(frozenset(w for w in words if " " not in w))
        self._cache: dict[str, tuple[str, ...]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        self._stop = thai_stopwords()

    def _run(self, chunk: str) -> tuple[str, ...]:
        hit = self._cache.get(chunk)
        if hit is None:
            from pythainlp.tokenize import word_tokenize

            hit = tuple(
                t for t in word_tokenize(chunk, custom_dict=self._trie, engine=TOKENIZER_ENGINE) if t.strip()
            )
            if len(self._cache) < 500_000:
                self._cache[chunk] = hit
        return hit

    def tokens(self, text: str) -> list[str]:
        """Every token of the normalised text (no whitespace tokens)."""
        text = normalise(text)
        parts = self._spaced.split(text) if self._spaced is not None else [text]
        out: list[str] = []
        for i, part in enumerate(parts):
            if i % 2 == 1:  # a custom name containing a space, matched whole
                out.append(part)
                continue
            for chunk in part.split(" "):
                if chunk:
                    out.extend(self._run(chunk))
        return out

    def is_term(self, token: str) -> bool:
        if token in self.custom_words:
            return True
        if len(token) < 2 or token in self._stop or _NUMBER.match(token):
            return False
        return any(ch.isalpha() for ch in token)

    def terms(self, text: str) -> list[str]:
        """The tokens that carry meaning: no stop words, numbers, punctuation or single letters."""
        hit = self._terms.get(text)
        if hit is None:
            hit = tuple(t.lower() if _LATIN.search(t) else t for t in self.tokens(text) if self.is_term(t))
            if len(self._terms) < 100_000:
                self._terms[text] = hit
        return list(hit)


# --- keywords -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keywords:
    """TF-IDF keywords of a corpus. ``per_doc[i]`` lists ``(term, weight)`` of document ``i``."""

    per_doc: list[list[tuple[str, float]]]
    vocabulary: list[str]
    matrix: sparse.csr_matrix  # documents × vocabulary (L2-normalised rows)
    parameters: dict[str, Any] = field(default_factory=dict)

    def group(self, rows: Sequence[int], top: int = 10) -> list[tuple[str, float]]:
        """The top terms of a group of documents (mean TF-IDF over its rows)."""
        if not rows:
            return []
        mean = np.asarray(self.matrix[list(rows)].mean(axis=0)).ravel()
        return _top(mean, self.vocabulary, top)


def _top(weights: np.ndarray, vocabulary: Sequence[str], top: int) -> list[tuple[str, float]]:
    if weights.size == 0:
        return []
    order = np.lexsort((np.arange(weights.size), -weights))[:top]
    return [(vocabulary[i], round(float(weights[i]), 4)) for i in order if weights[i] > 0]


def keywords(texts: Sequence[str], tokenizer: ThaiTokenizer, *, top: int = 8, min_df: int = 1) -> Keywords:
    """TF-IDF keywords of each text (sublinear tf, smooth idf, terms seen in ≥ ``min_df`` texts).

    Terms found in more than 60 % of the texts say nothing about one of them and are dropped once
    there are at least 10 texts.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    terms = [tokenizer.terms(t) for t in texts]
    if not any(terms):
        return Keywords([[] for _ in texts], [], sparse.csr_matrix((len(texts), 0)), {"empty": True})
    max_df = 0.6 if len(texts) >= 10 else 1.0
    vec = TfidfVectorizer(
        analyzer=lambda doc: doc, sublinear_tf=True, min_df=min(min_df, len(texts)), max_df=max_df
    )
    try:
        matrix = vec.fit_transform(terms).tocsr()
    except ValueError:  # every term pruned
        vec = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
        matrix = vec.fit_transform(terms).tocsr()
        max_df = 1.0
    vocabulary = list(vec.get_feature_names_out())
    per_doc = []
    for i in range(matrix.shape[0]):
        row = matrix.getrow(i)
        pairs = sorted(zip(row.indices, row.data, strict=True), key=lambda p: (-p[1], vocabulary[p[0]]))
        per_doc.append([(vocabulary[j], round(float(w), 4)) for j, w in pairs[:top]])
    params = {"sublinear_tf": True, "min_df": min_df, "max_df": max_df, "top": top, "n_docs": len(texts)}
    return Keywords(per_doc, vocabulary, matrix, params)


# --- topics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    number: int
    size: int
    keywords: list[tuple[str, float]]

    @property
    def label(self) -> str:
        return " · ".join(t for t, _ in self.keywords[:3])


@dataclass(frozen=True)
class Topics:
    """Topic groups: ``labels[i]`` is document ``i``'s topic; ``scores`` the silhouette per k tried."""

    labels: list[int]
    topics: list[Topic]
    k: int
    scores: dict[int, float]
    parameters: dict[str, Any] = field(default_factory=dict)


def topics(kw: Keywords, *, max_k: int = MAX_K, seed: int = DEFAULT_SEED, sample: int = 2000) -> Topics:
    """k-means topic groups on the LSA projection of the TF-IDF matrix.

    Rule for *k*: the k in 2 … min(``max_k``, n/5) with the highest mean cosine silhouette on a
    seeded sample of at most ``sample`` documents (ties: the smaller k). Fewer than 10 documents or
    a vocabulary of fewer than 3 terms: one topic.
    """
    from threadpoolctl import threadpool_limits

    n, v = kw.matrix.shape
    params = {"method": "lsa+kmeans", "max_k": max_k, "seed": seed, "sample": sample}
    if n < 10 or v < 3:
        return Topics(
            [0] * n, [Topic(0, n, kw.group(list(range(n))))] if n else [], 1 if n else 0, {}, params
        )
    with threadpool_limits(limits=1):  # BLAS threads fight each other on small matrices
        return _topics(kw, n, v, max_k=max_k, seed=seed, sample=sample, params=params)


def _topics(
    kw: Keywords, n: int, v: int, *, max_k: int, seed: int, sample: int, params: dict[str, Any]
) -> Topics:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    dims = max(2, min(100, v - 1, n - 1))
    reduced = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(kw.matrix))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    scores: dict[int, float] = {}
    fits: dict[int, np.ndarray] = {}
    for k in range(2, max(2, min(max_k, n // 5)) + 1):
        model = KMeans(n_clusters=k, n_init=2 if n > 5000 else 4, random_state=seed).fit(reduced)
        labels = model.labels_
        if len(set(labels[idx])) < 2:
            continue
        scores[k] = round(float(silhouette_score(reduced[idx], labels[idx], metric="cosine")), 4)
        fits[k] = labels
    if not scores:
        return Topics([0] * n, [Topic(0, n, kw.group(list(range(n))))], 1, {}, params)
    best = min(scores, key=lambda k: (-scores[k], k))
    labels = fits[best]
    # Number topics by size (largest first) so that numbers are stable for the same input.
    sizes = Counter(int(x) for x in labels)
    order = sorted(sizes, key=lambda c: (-sizes[c], c))
    renumber = {old: new for new, old in enumerate(order)}
    final = [renumber[int(x)] for x in labels]
    members: dict[int, list[int]] = {}
    for i, t in enumerate(final):
        members.setdefault(t, []).append(i)
    found = [Topic(t, len(rows), kw.group(rows)) for t, rows in sorted(members.items())]
    params.update({"lsa_dims": dims, "chosen_k": best})
    return Topics(final, found, best, scores, params)


# --- names: practices and schools -----------------------------------------------------------------


def _alias_pattern(alias: str) -> str:
    esc = re.escape(normalise(alias))
    if _LATIN.search(alias[:1]):
        esc = r"(?<![A-Za-z])" + esc
    if _LATIN.search(alias[-1:]):
        esc = esc + r"(?![A-Za-z])"
    return esc


@dataclass(frozen=True)
class NameFinder:
    """Finds which keys a text names, by aliases (longest alias first, non-overlapping)."""

    aliases: Mapping[str, Sequence[str]]  # key -> aliases
    ignore_case: bool = True
    _pattern: re.Pattern[str] | None = field(init=False, default=None, repr=False)
    _key_of: dict[str, str] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        key_of: dict[str, str] = {}
        for key, names in self.aliases.items():
            for name in names:
                name = normalise(name)
                if name:
                    key_of.setdefault(name.lower() if self.ignore_case else name, key)
        alts = sorted(key_of, key=lambda a: (-len(a), a))
        flags = re.IGNORECASE if self.ignore_case else 0
        pattern = re.compile("|".join(_alias_pattern(a) for a in alts), flags) if alts else None
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_key_of", key_of)

    def find(self, text: str) -> list[str]:
        """Keys named in ``text``, in order of first mention, each once."""
        return list(dict.fromkeys(self.mentions(text)))

    def mentions(self, text: str) -> list[str]:
        if self._pattern is None or not text:
            return []
        out = []
        for m in self._pattern.finditer(normalise(text)):
            name = m.group(0).lower() if self.ignore_case else m.group(0)
            key = self._key_of.get(name)
            if key is not None:
                out.append(key)
        return out


def find_aliases(text: str, aliases: Mapping[str, Sequence[str]]) -> list[str]:
    """Practice keys whose aliases appear in ``text`` (see :class:`NameFinder`)."""
    return NameFinder(aliases).find(text)


def school_aliases(names: Mapping[str, str]) -> dict[str, list[str]]:
    """``{name: code}`` → ``{code: [aliases]}``: the full name, and for ``โรงเรียนX`` also ``รร.X``."""
    out: dict[str, list[str]] = {}
    for name, code in names.items():
        name = normalise(name)
        if len(name) < 4:
            continue
        alts = out.setdefault(code, [])
        alts.append(name)
        if name.startswith("โรงเรียน") and len(name) > len("โรงเรียน") + 1:
            alts.append("รร." + name.removeprefix("โรงเรียน"))
    return out


def find_names(text: str, names: Mapping[str, str]) -> list[str]:
    """Codes of the schools (``{name: code}``) named in ``text``."""
    return NameFinder(school_aliases(names), ignore_case=False).find(text)


def excerpt(text: str, needle_keys: Sequence[str], finder: NameFinder | None = None, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around the first mention found by ``finder``."""
    text = normalise(text)
    start = 0
    if finder is not None and finder._pattern is not None:
        for m in finder._pattern.finditer(text):
            key = finder._key_of.get(m.group(0).lower() if finder.ignore_case else m.group(0))
            if key in needle_keys:
                start = max(0, m.start() - width // 4)
                break
    cut = text[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


# --- vectors --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Embedding:
    """Document vectors (float32, rows L2-normalised) and how they were made."""

    vectors: np.ndarray
    kind: str
    parameters: dict[str, Any]


@functools.lru_cache(maxsize=4)
def _projection(n_features: int, dim: int, seed: int) -> sparse.csr_matrix:
    """A seeded sparse random projection (Achlioptas/Li: density 1/√n_features), n_features × dim."""
    from sklearn.random_projection import SparseRandomProjection

    proj = SparseRandomProjection(n_components=dim, random_state=seed, dense_output=True)
    proj.fit(sparse.csr_matrix((1, n_features), dtype=np.float32))
    return sparse.csr_matrix(proj.components_.T, dtype=np.float32)


class HashedTfidfEmbedder:
    """Word (unigram + bigram) and character-3-gram features → hashing → random projection."""

    kind = "tfidf-hash"

    def __init__(self, tokenizer: ThaiTokenizer, *, dim: int = DEFAULT_DIM, seed: int = DEFAULT_SEED) -> None:
        self.tokenizer = tokenizer
        self.dim = dim
        self.seed = seed

    @property
    def parameters(self) -> dict[str, Any]:
        return {
            "features": "newmm word 1-2 grams + char 3-grams (weight 0.5)",
            "tf": "sublinear (1 + log tf)",
            "hash_features": HASH_FEATURES,
            "projection": "sparse random projection",
            "dim": self.dim,
            "seed": self.seed,
        }

    def features(self, text: str) -> Counter[str]:
        terms = self.tokenizer.terms(text)
        feats: Counter[str] = Counter(f"w:{t}" for t in terms)
        feats.update(f"b:{a} {b}" for a, b in itertools.pairwise(terms))
        chars: Counter[str] = Counter()
        for t in terms:
            padded = f" {t} "
            chars.update(f"c:{padded[i : i + CHAR_N]}" for i in range(max(1, len(padded) - CHAR_N + 1)))
        for key, count in chars.items():
            feats[key] = count  # weighted below
        return feats

    def _matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from sklearn.feature_extraction import FeatureHasher

        rows = []
        for text in texts:
            feats = self.features(text)
            rows.append(
                {
                    k: (1.0 + math.log(v)) * (CHAR_WEIGHT if k.startswith("c:") else 1.0)
                    for k, v in feats.items()
                }
            )
        hasher = FeatureHasher(n_features=HASH_FEATURES, input_type="dict", alternate_sign=False)
        return hasher.transform(rows).tocsr().astype(np.float32)

    def embed(self, texts: Sequence[str]) -> Embedding:
        if not texts:
            return Embedding(np.zeros((0, self.dim), dtype=np.float32), self.kind, self.parameters)
        x = self._matrix(texts)
        dense = (x @ _projection(HASH_FEATURES, self.dim, self.seed)).toarray().astype(np.float32)
        return Embedding(_unit_rows(dense), self.kind, self.parameters)


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes | memoryview | None, dim: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    v = np.frombuffer(bytes(blob), dtype="<f4")
    if dim is not None and v.size != dim:
        return None
    return v.astype(np.float32)


@dataclass(frozen=True)
class Match:
    index: int
    score: float


def rank_similar(
    query: np.ndarray,
    matrix: np.ndarray,
    *,
    top: int = 10,
    exclude: Callable[[int], bool] | None = None,
    centre: bool = True,
) -> list[Match]:
    """The ``top`` rows of ``matrix`` most similar to ``query`` (cosine; after centring on the
    mean row when ``centre`` and there are at least 3 rows). Ties: the lower index first."""
    if matrix.size == 0:
        return []
    m = matrix.astype(np.float32)
    q = query.astype(np.float32).ravel()
    if centre and m.shape[0] >= 3:
        mean = m.mean(axis=0)
        m = m - mean
        q = q - mean
    m = _unit_rows(m)
    qn = float(np.linalg.norm(q))
    if qn == 0:
        return []
    scores = m @ (q / qn)
    order = np.lexsort((np.arange(scores.size), -scores))
    out: list[Match] = []
    for i in order:
        if exclude is not None and exclude(int(i)):
            continue
        out.append(Match(int(i), round(float(scores[i]), 4)))
        if len(out) >= top:
            break
    return out


# --- WordLlama, loaded from the package's own files -----------------------------------------------


class WordLlamaUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def load_wordllama(dim: int = 256) -> Any:
    """WordLlama ``l2_supercat`` from the files inside the installed wheel, never the network.

    Raises :class:`WordLlamaUnavailable` when the package or one of its files is missing.
    """
    try:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise WordLlamaUnavailable(str(exc)) from exc
    root = Path(wordllama.__file__).parent
    weights = root / "weights" / f"l2_supercat_{dim}.safetensors"
    tokenizer = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
    if not weights.exists() or not tokenizer.exists():
        raise WordLlamaUnavailable(f"missing {weights if not weights.exists() else tokenizer}")
    import logging

    root_level = logging.getLogger().level
    from wordllama.inference import WordLlamaInference  # its import calls logging.basicConfig

    logging.getLogger().setLevel(root_level)
    with safe_open(str(weights), framework="np", device="cpu") as f:
        matrix = f.get_tensor("embedding.weight")
    return WordLlamaInference(matrix, Tokenizer.from_file(str(tokenizer)), binary=False)


class WordLlamaEmbedder:
    kind = "embedding:wordllama-l2_supercat-256"

    def __init__(self) -> None:
        self.model = load_wordllama()

    @property
    def parameters(self) -> dict[str, Any]:
        return {"model": "wordllama l2_supercat", "dim": 256, "source": "package files"}

    def embed(self, texts: Sequence[str]) -> Embedding:
        if not texts:
            return Embedding(np.zeros((0, 256), dtype=np.float32), self.kind, self.parameters)
        vectors = np.asarray(self.model.embed([normalise(t) for t in texts], norm=False), dtype=np.float32)
        return Embedding(_unit_rows(vectors), self.kind, self.parameters)


@dataclass(frozen=True)
class Separation:
    """How well an embedder tells related texts from unrelated ones.

    ``related`` / ``unrelated``: mean cosine of pairs in the same / different groups; ``gap`` their
    difference; ``top1`` the share of texts whose nearest other text is of the same group.
    """

    related: float
    unrelated: float
    gap: float
    top1: float


def separation(vectors: np.ndarray, groups: Sequence[str]) -> Separation:
    sims = _unit_rows(vectors) @ _unit_rows(vectors).T
    n = len(groups)
    same: list[float] = []
    diff: list[float] = []
    hits = 0
    for i in range(n):
        best, best_j = -2.0, -1
        for j in range(n):
            if i == j:
                continue
            (same if groups[i] == groups[j] else diff).append(float(sims[i, j]))
            if sims[i, j] > best:
                best, best_j = float(sims[i, j]), j
        hits += int(best_j >= 0 and groups[best_j] == groups[i])
    related = float(np.mean(same)) if same else 0.0
    unrelated = float(np.mean(diff)) if diff else 0.0
    return Separation(
        round(related, 4),
        round(unrelated, 4),
        round(related - unrelated, 4),
        round(hits / n, 4) if n else 0.0,
    )


@dataclass(frozen=True)
class EmbedderChoice:
    embedder: HashedTfidfEmbedder | WordLlamaEmbedder
    reason_th: str
    reason_en: str


def choose_embedder(
    tokenizer: ThaiTokenizer, *, prefer: str = "tfidf", dim: int = DEFAULT_DIM
) -> EmbedderChoice:
    """The embedder the index uses. ``prefer="wordllama"`` takes WordLlama when its files load;
    the default is the hashed TF-IDF vectors (WordLlama does not separate Thai texts, see above)."""
    if prefer == "wordllama":
        try:
            return EmbedderChoice(
                WordLlamaEmbedder(),
                "ใช้แบบจำลอง WordLlama จากไฟล์ในแพ็กเกจ",
                "WordLlama loaded from the package's own files",
            )
        except WordLlamaUnavailable as exc:
            return EmbedderChoice(
                HashedTfidfEmbedder(tokenizer, dim=dim),
                f"โหลด WordLlama ไม่ได้ ({exc}) จึงใช้ TF-IDF",
                f"WordLlama could not be loaded ({exc}); TF-IDF used",
            )
    return EmbedderChoice(
        HashedTfidfEmbedder(tokenizer, dim=dim),
        "ใช้เวกเตอร์ TF-IDF ของคำ (newmm) และอักขระ เพราะแบบจำลองฝังประโยคที่มีในแพ็กเกจแยกความหมายภาษาไทยไม่ได้",
        "TF-IDF vectors of newmm words and characters: the packaged sentence embedding does not "
        "separate Thai texts",
    )
