"""A question's own address on the web page: opening ``/?q=Who+won+the+marathon%3F`` asks it
(with ``k``, ``mode``, ``source``, ``from``, ``to``, ``per``, ``tag`` (again for each tag) and
``author`` as the Ask tab's options), and asking puts the question in the address, so an answer
can be bookmarked, reloaded or sent to someone who sees the same cards."""

from __future__ import annotations

from collections.abc import Mapping

MODES = ("hybrid", "dense", "lexical")
DEFAULT_K, MAX_K, MAX_PER_ARTICLE = 5, 20, 10


def asked(params: Mapping) -> list | None:
    """The Ask tab's inputs an address asks for, in their order (question, k, mode, source,
    date from, date to, passages per article, tags, author); None when it holds no question.
    ``params``: the address's query parameters (a Starlette ``QueryParams``: ``getlist`` for tags)."""
    question = " ".join((params.get("q") or "").split())
    if not question:
        return None

    def number(name: str, default: int, top: int) -> int:
        try:
            return min(max(int(params.get(name) or default), 1), top)
        except ValueError:
            return default

    mode = params.get("mode") if params.get("mode") in MODES else MODES[0]
    tags = [t for t in (params.getlist("tag") if hasattr(params, "getlist") else []) if t.strip()]
    return [question, number("k", DEFAULT_K, MAX_K), mode, params.get("source") or "", params.get("from") or "",
            params.get("to") or "", number("per", 1, MAX_PER_ARTICLE), tags, params.get("author") or None]


# Run in the page as a question is asked, with the Ask tab's inputs: the address then says what
# was asked (options left at their defaults left out), replacing the entry rather than adding
# one per question. The inputs go on to the server as they were.
TO_ADDRESS_JS = f"""
(question, k, mode, source, dateFrom, dateTo, per, tags, author) => {{
  const url = new URL(window.location.href);
  const put = (name, value, plain) => {{
    const text = value === null || value === undefined ? '' : String(value).trim();
    if (text === '' || text === String(plain)) url.searchParams.delete(name);
    else url.searchParams.set(name, text);
  }};
  put('q', question, ''); put('k', k, {DEFAULT_K}); put('mode', mode, '{MODES[0]}');
  put('source', source, ''); put('from', dateFrom, ''); put('to', dateTo, ''); put('per', per, 1);
  url.searchParams.delete('tag');
  for (const tag of (Array.isArray(tags) ? tags : [])) url.searchParams.append('tag', tag);
  put('author', author, '');
  window.history.replaceState(window.history.state, '', url);
  return [question, k, mode, source, dateFrom, dateTo, per, tags, author];
}}
"""
