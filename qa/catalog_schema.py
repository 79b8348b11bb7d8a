"""The catalog's tables, and what changed in them since the first indexes (qa.catalog reads both)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    line_start INTEGER NOT NULL,
    lines_mapped INTEGER NOT NULL,
    url TEXT, date TEXT, author TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    text TEXT NOT NULL,
    markup TEXT  -- qa.types.MARKUPS; NULL: as the source's extension says
);
CREATE INDEX IF NOT EXISTS articles_content ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_text ON articles(text_hash);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE TABLE IF NOT EXISTS passages(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    line_offset_start INTEGER NOT NULL,
    line_offset_end INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    sentence_vectors BLOB,  -- inline only in catalogs written before qa.segments
    sentence_tokens BLOB,
    blob_segment INTEGER,  -- the segment file holding the sentence vectors, then the tokens
    blob_offset INTEGER,
    vectors_len INTEGER,  -- one row per sentence (qa.sentvec): contextual vectors for highlights
    tokens_len INTEGER  -- the sentences' token embeddings as sign bits (qa.tokens); NULL: none
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article);
CREATE VIEW IF NOT EXISTS passage_content AS
    SELECT p.id AS id, a.title AS title,
           substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS text
    FROM passages p JOIN articles a ON a.id = p.article;
CREATE TABLE IF NOT EXISTS duplicates(
    article_id TEXT NOT NULL,
    of_article TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    line_start INTEGER NOT NULL
);
"""

REQUIRED = frozenset({"articles", "passages", "passage_content", "duplicates"})
# Tables of catalogs written before qa.lexical: nothing reads them any more.
RETIRED = ("passages_fts", "term_df")
# Columns added since the first catalogs: a writer adds them, readers read NULL in their place.
ADDED = (("sentence_tokens", "BLOB"), ("blob_segment", "INTEGER"), ("blob_offset", "INTEGER"),
         ("vectors_len", "INTEGER"), ("tokens_len", "INTEGER"))
# Columns added to articles since: NULL in older catalogs.
ARTICLES_ADDED = (("markup", "TEXT"),)
# Where a passage's sentence vectors and tokens are (qa.segments), in the order read.
BLOB_COLUMNS = ("sentence_vectors", "sentence_tokens", "blob_segment", "blob_offset", "vectors_len", "tokens_len")
