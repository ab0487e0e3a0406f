"""Chinese keyword search over postings (职位搜索): the tokenizer and the index columns.

Chinese has no spaces, so a word-based index finds nothing inside 软件工程师. Every run of
CJK characters is indexed as its single characters and its overlapping two-character pairs
(bigrams); Latin letters and digits as lower-cased words. A keyword is tokenized the same way
and every token must match, so 软件 (one bigram) and 工程师 (工程 + 程师) both find 软件工程师.
Both databases index the same token text (docs/decisions/job-search.md): PostgreSQL a GIN
full-text index over to_tsvector('simple', …), SQLite an FTS5 table. The query side is in
apps/jobs/search_query.py."""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
MAX_QUERY_TOKENS = 12  # a longer keyword is cut: 12 tokens already pin a posting down


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def index_tokens(text: str) -> list[str]:
    """Every unigram and bigram of each CJK run, every Latin/digit word."""
    out: list[str] = []
    for run in _RUNS.findall(_normalise(text)):
        if _is_cjk(run):
            out.extend(run)
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def query_tokens(keyword: str) -> list[str]:
    """The tokens every hit must contain: a one-character CJK run is its unigram, a longer run
    its bigrams; Latin/digit words as they are. De-duplicated, order kept, at most
    MAX_QUERY_TOKENS."""
    out: list[str] = []
    for run in _RUNS.findall(_normalise(keyword)):
        if _is_cjk(run) and len(run) > 1:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    seen: dict[str, None] = {}
    for token in out:
        seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_TOKENS]


def index_columns(*, title: str, body_parts: list[str]) -> tuple[str, str]:
    """The two stored columns of a posting: title tokens, body tokens (space-separated)."""
    return " ".join(index_tokens(title)), " ".join(index_tokens(" ".join(p for p in body_parts if p)))


def posting_index_columns(posting) -> tuple[str, str]:
    """What a posting is found by: its title; its employer's name, description, majors and
    category name. Call before saving a posting whose text changed."""
    from apps.reference.selectors import code_label

    return index_columns(title=posting.title, body_parts=[
        posting.employer.name, code_label("position_category", posting.category_code),
        posting.majors_text, posting.description,
    ])
