"""Catalog: a category tree, products, variants and the stock ledger."""

SQL = """
CREATE TABLE categories (
    id uuid PRIMARY KEY,
    parent_id uuid REFERENCES categories (id),
    name varchar(120) NOT NULL,
    slug varchar(140) NOT NULL UNIQUE,
    position integer NOT NULL DEFAULT 0,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE products (
    id uuid PRIMARY KEY,
    sku varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    description text NOT NULL DEFAULT '',
    category_id uuid REFERENCES categories (id),
    price numeric(14, 2) NOT NULL CHECK (price >= 0),
    sale_price numeric(14, 2) CHECK (sale_price >= 0),
    currency char(3) NOT NULL,
    stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    active boolean NOT NULL DEFAULT true,
    attributes jsonb NOT NULL DEFAULT '{}',
    tags jsonb NOT NULL DEFAULT '[]',
    image_urls jsonb NOT NULL DEFAULT '[]',
    source varchar(16) NOT NULL DEFAULT 'manual'
        CHECK (source IN ('manual', 'woocommerce', 'shopify')),
    external_id varchar(128),
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_external ON products (source, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_listing ON products (created_at DESC, id) WHERE archived_at IS NULL;
CREATE INDEX products_tags ON products USING gin (tags);

CREATE TABLE variants (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products (id),
    sku varchar(64) NOT NULL UNIQUE,
    attributes jsonb NOT NULL DEFAULT '{}',
    price numeric(14, 2) CHECK (price >= 0),
    stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    active boolean NOT NULL DEFAULT true,
    position integer NOT NULL DEFAULT 0,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE stock_movements (
    id bigserial PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products (id),
    variant_id uuid REFERENCES variants (id),
    delta integer NOT NULL,
    stock_after integer NOT NULL CHECK (stock_after >= 0),
    reason varchar(32) NOT NULL,
    note text NOT NULL DEFAULT '',
    reference varchar(64),
    actor varchar(64),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_product ON stock_movements (product_id, id DESC);
"""
