"""``qa.Library``: the public entry point for building, updating and querying an index."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError, NotFoundError
from .summaries import IndexInfo, IndexSummary
from .types import Around, ArticleHit, Highlight, Hit

if TYPE_CHECKING:
    from .distributed import RayOptions

DEFAULT_INDEX = os.path.join("index", "default")


class Library:
    """An opened index. Build one with :meth:`build`, open one with :meth:`open`.

    Example::

        lib = qa.Library.build(["articles/"], path="index/default")
        for hit in lib.ask("How many workers struck in Quebec?", k=5):
            print(hit.reference, hit.title)
    """

    def __init__(self, path: str, embedder=None, model: str | None = None,
                 backend: str | None = None) -> None:
        from .indexdir import check_model, read_manifest

        self.path = path
        self._lock = threading.RLock()
        self._embedder = embedder
        self._model_asked = model
        self._backend = backend
        self.manifest = read_manifest(path)
        check_model(self.manifest, model or (embedder.name if embedder else None),
                    embedder.dim if embedder else None, path)
        self.last_summary: IndexSummary | None = None
        self._load()

    def _load(self) -> None:
        from .generation import open_parts

        parts = open_parts(self.path)
        with self._lock:
            old = getattr(self, "catalog", None)
            self.manifest, self._stamp = parts.manifest, parts.stamp
            self.catalog, self.store, self.article_store = parts.catalog, parts.store, parts.article_store
            self.lexicon = parts.lexicon
            if old is not None:
                old.close()

    def refresh(self) -> bool:
        """Switch to a newer generation if another process published one; True if it did.

        Queries call this first, so a long-running server sees updates made by ``qa index``.
        Costs one ``stat``.
        """
        from .generation import manifest_stamp

        if manifest_stamp(self.path) == self._stamp:
            return False
        self._load()
        return True

    @property
    def generation(self) -> str:
        """A name for the generation in use, new with each write that changed something
        (another process's seen after :meth:`refresh`): a page showing counts redraws when it
        changes."""
        return "-".join(map(str, self._stamp))

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def open(cls, path: str = DEFAULT_INDEX, *, model: str | None = None, embedder=None,
             backend: str | None = None) -> Library:
        """Open an existing index; the embedding model is loaded on first use.

        ``backend`` (``torch``, ``onnx``, ``onnx-int8``) defaults to the one that built the index.

        Raises:
            IndexNotFoundError: nothing at ``path``.
            IndexMismatchError: built with another model, dimension or format version.
        """
        return cls(path, embedder=embedder, model=model, backend=backend)

    @classmethod
    def build(
        cls,
        paths: Sequence[str] | str,
        path: str = DEFAULT_INDEX,
        *,
        model: str | None = None,
        embedder=None,
        one_per_file: bool = False,
        chunk_tokens: int = 200,
        progress: bool = True,
        on_progress=None,
        backend: str | None = None,
        approx_threshold: int | None = None,
        ondisk_threshold: int | None = None,
        ray: RayOptions | None = None,
        store: str | None = None,
        language: str | None = None,
    ) -> Library:
        """Index ``paths`` into ``path`` so that it holds exactly those articles.

        An existing index there (same model) is reused: unchanged articles are not embedded again,
        unless this version splits them into other passages than the stored ones.
        The summary of what was done is in ``lib.last_summary``. Above ``approx_threshold``
        passages (default 100,000) the vectors go into an approximate IVF index whose recall@10
        against exact search is measured on every write (``info().ann``); above
        ``ondisk_threshold`` (default 2,000,000) its lists live on disk and writes never hold
        all vectors in memory (``qa.ondisk``); thresholds given are recorded in the index and
        kept by later writes. With ``ray``
        (``qa.RayOptions``) the model runs in a Ray Data actor pool instead of this process.
        ``store`` puts the vectors in ``faiss`` files (the default) or in Milvus:
        ``milvus://HOST:PORT/NAME`` or a milvus-lite file ``PATH.db``. ``language``: the
        articles' language, whose sentence rules split them and whose stemmer full-text search
        uses (``qa.lexical.languages()``:
        ``german``, ``french``...; default as recorded, or for a new index the one its first
        articles are in, English unless clearly another: ``qa.language``); kept by later writes.
        """
        from . import unpacked
        from .distributed import encoder_for
        from .indexdir import MANIFEST, read_manifest, refuse_a_foreign_folder, remove_unpublished
        from .indexer import index_paths
        from .settings import Settings

        paths = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        if not paths:
            raise InputError("give at least one file or folder to index")
        refuse_a_foreign_folder(path)
        settings = Settings(chunk_tokens=chunk_tokens, approx_threshold=approx_threshold,
                            ondisk_threshold=ondisk_threshold, language=language)
        created = not os.path.exists(path)
        try:
            archives = unpacked.resolve(paths, path)
            if embedder is None:
                if os.path.exists(os.path.join(path, MANIFEST)):
                    manifest = read_manifest(path)
                    model = model or manifest["model"]
                    backend = backend or manifest.get("backend", "torch")  # before backends: torch
                from .embedder import load_embedder

                embedder = load_embedder(model, backend, cache_dir=os.path.join(path, "models"))
            summary = index_paths(path, archives.paths, embedder, settings,
                                  one_per_file=one_per_file, full=True, progress=progress,
                                  on_progress=on_progress, encoder=encoder_for(ray, embedder, path),
                                  store_spec=store)
        except BaseException:
            if created and os.path.isdir(path):  # a failed first build leaves no folder behind
                remove_unpublished(path)
            raise
        lib = cls(path, embedder=embedder, backend=backend)
        lib.last_summary = archives.with_summary(summary)
        return lib

    def update(self, paths: Sequence[str] | str, *, one_per_file: bool = False,
               progress: bool = True, on_progress=None, ray: RayOptions | None = None,
               approx_threshold: int | None = None, ondisk_threshold: int | None = None,
               language: str | None = None, keep_gone: bool = False) -> IndexSummary:
        """Add new and changed articles under ``paths``; remove those that vanished from them.
        With ``ray`` the model runs in a Ray Data actor pool. The thresholds and the language
        (see :meth:`build`) stay as the index recorded them unless given. ``keep_gone``: a
        path that does not exist now (a drive not mounted yet) keeps its articles instead of
        their going; one the index holds nothing from is refused all the same (a typo)."""
        from . import unpacked
        from .distributed import encoder_for
        from .indexer import index_paths
        from .settings import Settings

        paths = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        if not paths:
            raise InputError("give at least one file or folder to index")
        settings = self.manifest.get("settings", {})
        archives = unpacked.resolve(paths, self.path)
        summary = index_paths(self.path, archives.paths, self.embedder,
                              Settings(chunk_tokens=settings.get("chunk_tokens", 200),
                                       approx_threshold=approx_threshold,
                                       ondisk_threshold=ondisk_threshold, language=language),
                              one_per_file=one_per_file, full=False, progress=progress,
                              on_progress=on_progress, encoder=encoder_for(ray, self.embedder, self.path),
                              keep_gone=keep_gone)
        self._load()
        self.last_summary = archives.with_summary(summary)
        return self.last_summary

    def remove(self, paths: Sequence[str] | str, *, progress: bool = True) -> IndexSummary:
        """Take the articles read from ``paths`` (files, or folders: everything under them) out
        of the index, whether or not the files still exist; nothing else changes. A path is
        matched as an update matches it, from the current folder, else as ``qa info`` lists
        sources (the paths as given when they were indexed). An article whose text is
        also in a file elsewhere is not lost: that file's copy takes its place.

        Raises:
            InputError: the index holds no article from one of ``paths`` (nothing is changed).
        """
        from . import unpacked
        from .indexer import index_paths
        from .settings import Settings

        paths = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        if not paths:
            raise InputError("give at least one file or folder to remove")
        paths, folders = unpacked.for_removal(paths, self.path, self.catalog)
        settings = self.manifest.get("settings", {})
        summary = index_paths(self.path, paths, self.embedder,
                              Settings(chunk_tokens=settings.get("chunk_tokens", 200)),
                              progress=progress, remove=True)
        for folder in folders:
            unpacked.forget(folder, self.path)
        self._load()
        self.last_summary = summary
        return summary

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from .embedder import load_embedder
                from .indexdir import check_model

                embedder = load_embedder(self.manifest["model"],
                                         self._backend or self.manifest.get("backend", "torch"),
                                         cache_dir=os.path.join(self.path, "models"))
                check_model(self.manifest, embedder.name, embedder.dim, self.path)
                self._embedder = embedder
            return self._embedder

    # --- queries -----------------------------------------------------------------------------
    def ask(self, question: str, k: int = 5, *, mode: str = "hybrid", filters=None,
            per_article: int = 1, highlights: bool = True) -> list[Hit]:
        """The ``k`` passages that best answer ``question``, at most ``per_article`` per article.

        Args:
            mode: ``"hybrid"`` (dense + BM25, fused), ``"dense"`` or ``"lexical"``.
            filters: a :class:`qa.Filters` or a dict with ``source`` (glob), ``date_from``,
                ``date_to`` (ISO dates), ``tags`` and ``author`` (a part of it, in any case).
            highlights: find the answering sentences, the question's words each hit lacks and
                whether it is weak (False: ``Hit.highlights`` and ``Hit.missing`` are empty and
                ``Hit.weak`` False, for bulk retrieval such as evaluation).
        """
        return self.ask_many([question], k, mode=mode, filters=filters, per_article=per_article,
                             highlights=highlights)[0]

    def ask_many(self, questions: Sequence[str], k: int = 10, *, mode: str = "hybrid",
                 filters=None, per_article: int = 1, highlights: bool = True) -> list[list[Hit]]:
        """:meth:`ask` for many questions, with the question embeddings computed in one batch."""
        from .search import Filters, search_many

        if isinstance(questions, str):
            raise InputError("ask_many takes a list of questions; use ask for one")
        embedder = self.embedder if mode != "lexical" else None
        self.refresh()
        with self._lock:
            return search_many(self.catalog, self.store, self.lexicon, embedder, list(questions), k, mode,
                               Filters.coerce(filters), per_article, highlights)

    def similar(self, article_id: str | None = None, k: int = 5, *,
                text: str | None = None) -> list[ArticleHit]:
        """Articles most like ``article_id`` (or like ``text``), never the article or its duplicates.

        ``article_id`` may also be the reference ``ask`` prints: ``docs/a.txt:12`` (the article
        holding line 12) or ``docs/post.md`` (a file holding one article).
        """
        from .similar import article_rowid, nearest_articles, text_vector

        if (article_id is None) == (text is None):
            raise InputError("give either an article id or text=")
        self.refresh()
        with self._lock:
            if article_id is not None:
                rowid = article_rowid(self.catalog, str(article_id), self.path)
                qvec = self.article_store.reconstruct([rowid])[0]
                return nearest_articles(self.catalog, self.article_store, qvec, k, exclude=rowid,
                                        lexicon=self.lexicon)
            qvec = text_vector(self.embedder, text, self.manifest["settings"])
            return nearest_articles(self.catalog, self.article_store, qvec, k, like=text, lexicon=self.lexicon)

    def similar_to_file(self, path: str, k: int = 5) -> list[ArticleHit]:
        """Articles most like a file that is not in the index, read, split and embedded as
        ``qa index`` would (a copy of an indexed article finds it, with similarity 1)."""
        from .similar import articles_vector, file_articles, nearest_articles

        articles = file_articles(path, self.manifest["settings"])  # can take a while: not under the lock
        self.refresh()
        with self._lock:
            qvec = articles_vector(self.embedder, articles, self.manifest["settings"])
            like = "\n".join(f"{a.title}\n{a.text}" for a in articles)
            return nearest_articles(self.catalog, self.article_store, qvec, k, like=like, lexicon=self.lexicon)

    def did_you_mean(self, question: str) -> str | None:
        """The question with its words no passage holds spelt as the passages spell a word one
        edit away (:mod:`qa.spelling`: ``dokworkers`` as ``dockworkers``), or None; not a word
        the model's vocabulary holds as one token (a real word the passages lack)."""
        from .spelling import corrected, word_forms

        def known(word: str) -> bool:
            return 1 in self.embedder.count_tokens(word_forms(word))

        self.refresh()
        with self._lock:
            return corrected(question, self.lexicon, self.catalog, known)

    def highlight(self, question: str, article_id: str) -> tuple[Highlight, ...]:
        """The sentences of one article that best answer ``question``, best first."""
        from .embedder import encode_questions
        from .highlight import rank_sentences
        from .phrases import left_out
        from .search import clean_question

        question = clean_question(left_out(clean_question(question))[0])  # without its -words
        qvecs, qtokens = encode_questions(self.embedder, [question])
        self.refresh()
        with self._lock:
            rowid = self._article_rowid(str(article_id))
            ids = self.catalog.passage_ids_of([rowid])[0]
            rows = list(self.catalog.passages(ids, vectors=True).values())
            ranked_rows = rank_sentences(question, qvecs[0], rows, self.lexicon,
                                         qtokens[0] if qtokens is not None else None)
        # Overlapping passages repeat sentences; score each sentence once.
        seen: dict[tuple[int, int], Highlight] = {}
        for ranked in ranked_rows:
            for h in ranked:
                seen.setdefault((h.char_start, h.char_end), h)
        return tuple(sorted(seen.values(), key=lambda h: (-h.score, h.char_start)))

    def _article_rowid(self, ref: str) -> int:
        from .similar import article_rowid

        return article_rowid(self.catalog, ref, self.path)

    def article(self, article_id: str) -> dict[str, Any]:
        """The stored record of one article (title, text, source, line, url, date, tags)."""
        self.refresh()
        with self._lock:
            row = self.catalog.article(self._article_rowid(str(article_id)))
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r} in {self.path}")
        return row

    def around(self, passage_id: int, n: int = 1) -> Around:
        """The text before and after a passage (a hit's ``passage_id``) in its article: that of
        the ``n`` passages on each side (1 to 10), without the sentence they share with it."""
        from .around import around

        self.refresh()
        with self._lock:
            return around(self.catalog, passage_id, n, self.path)

    def find_articles(self, title_part: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """(article_id, title, source) of articles whose title contains ``title_part``."""
        self.refresh()
        with self._lock:
            return self.catalog.find_titles(title_part, limit)

    def info(self) -> IndexInfo:
        """What the index holds, as of the latest generation (another process's update included)."""
        from .indexdir import disk_bytes

        self.refresh()
        size, model_size = disk_bytes(self.path), disk_bytes(os.path.join(self.path, "models"))
        with self._lock:
            m, counts = self.manifest, self.catalog.counts()
            return IndexInfo(
                path=self.path, model=m["model"], dimension=m["dimension"], index_kind=self.store.kind,
                ann=dict(m.get("ann") or {}), backend=m.get("backend", "torch"), articles=counts["articles"],
                passages=counts["passages"], duplicates=counts["duplicates"], settings=m.get("settings", {}),
                format_version=m["format_version"], package_version=m.get("package_version", ""),
                created=m.get("created", ""), updated=m.get("updated", ""), disk_bytes=size,
                sources=tuple(self.catalog.sources()), article_ann=dict(m.get("article_ann") or {}),
                tags=tuple(self.catalog.tag_counts()), authors=tuple(self.catalog.author_counts()),
                model_bytes=model_size,
            )

    def check(self) -> list[str]:
        """Problems found when comparing manifest, catalog and vectors (empty: all agree)."""
        from .generation import problems

        self.refresh()
        with self._lock:
            return problems(self.manifest, self.catalog, self.lexicon, self.store, self.article_store)

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


