"""Search: the Postgres search index and its vocabulary, its state (embedding model and
dimension), the embedding cache by content hash, uploaded documents and their chunks; service
tags for search."""

SQL = """
CREATE TABLE search_entries (
    id varchar(120) PRIMARY KEY,
    kind varchar(16) NOT NULL CHECK (kind IN ('product', 'service', 'passage')),
    entity_id uuid NOT NULL,
    chunk integer NOT NULL DEFAULT 0,
    title text NOT NULL,
    body text NOT NULL DEFAULT '',
    code text NOT NULL DEFAULT '',
    source text NOT NULL DEFAULT '',
    category_ids uuid[] NOT NULL DEFAULT '{}',
    price numeric(14, 2),
    in_stock boolean NOT NULL DEFAULT true,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', public.search_fold(title || ' ' || code)), 'A')
        || setweight(to_tsvector('simple', public.search_fold(body)), 'B')
    ) STORED,
    embedding extensions.vector(384),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_entries_entity ON search_entries (kind, entity_id);
-- fastupdate off: no pending list that every query scans linearly until the next vacuum
-- (catalog writes are few; searches are many).
CREATE INDEX search_entries_tsv ON search_entries USING gin (tsv) WITH (fastupdate = off);
CREATE INDEX search_entries_categories ON search_entries USING gin (category_ids);
CREATE INDEX search_entries_embedding ON search_entries
    USING hnsw (embedding extensions.vector_cosine_ops);

-- Every word indexed so far (folded, 4+ letters): typo correction compares a query term with
-- these few thousand words by trigram instead of with every entry. Never pruned: a word
-- whose entries left matches nothing.
CREATE TABLE search_words (
    word text COLLATE "C" PRIMARY KEY
);
CREATE INDEX search_words_trigrams ON search_words
    USING gin (word extensions.gin_trgm_ops) WITH (fastupdate = off);

-- One row: which embedding model and dimension the tenant's index holds.
CREATE TABLE search_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    backend varchar(32) NOT NULL,
    model varchar(120) NOT NULL,
    dim integer NOT NULL CHECK (dim > 0),
    indexed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE embedding_cache (
    model varchar(120) NOT NULL,
    content_hash bytea NOT NULL,
    embedding extensions.vector NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, content_hash)
);

CREATE TABLE documents (
    id uuid PRIMARY KEY,
    name varchar(255) NOT NULL,
    content_type varchar(100) NOT NULL,
    size_bytes integer NOT NULL CHECK (size_bytes >= 0),
    sha256 char(64) NOT NULL,
    pages integer,
    chunk_count integer NOT NULL DEFAULT 0,
    uploaded_by varchar(64),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_listing ON documents (created_at DESC, id);

CREATE TABLE document_chunks (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    index integer NOT NULL,
    text text NOT NULL,
    location varchar(255) NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, index)
);

ALTER TABLE services ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';
"""
