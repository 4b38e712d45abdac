"""Carts and orders: one active cart per customer, numbered orders, their lines and history."""

SQL = """
CREATE TABLE carts (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    status varchar(16) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'checked_out', 'abandoned')),
    currency char(3),
    order_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX carts_one_active ON carts (customer_id) WHERE status = 'active';

CREATE TABLE cart_lines (
    id uuid PRIMARY KEY,
    cart_id uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id uuid NOT NULL REFERENCES products (id),
    variant_id uuid REFERENCES variants (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX cart_lines_item ON cart_lines
    (cart_id, product_id, coalesce(variant_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- One row: the tenant's last order number, bumped in the checkout transaction (gap-free).
CREATE TABLE order_counter (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    last_number bigint NOT NULL DEFAULT 0
);
INSERT INTO order_counter (id, last_number) VALUES (1, 0);

CREATE TABLE orders (
    id uuid PRIMARY KEY,
    sequence bigint NOT NULL UNIQUE,
    number varchar(24) NOT NULL UNIQUE,
    customer_id uuid NOT NULL REFERENCES customers (id),
    cart_id uuid REFERENCES carts (id),
    status varchar(24) NOT NULL CHECK (status IN (
        'pending_payment', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'
    )),
    currency char(3) NOT NULL,
    subtotal numeric(14, 2) NOT NULL CHECK (subtotal >= 0),
    total numeric(14, 2) NOT NULL CHECK (total >= 0),
    notes text NOT NULL DEFAULT '',
    stock_released boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    paid_at timestamptz,
    processing_at timestamptz,
    shipped_at timestamptz,
    delivered_at timestamptz,
    cancelled_at timestamptz,
    refunded_at timestamptz
);
CREATE INDEX orders_customer ON orders (customer_id, sequence DESC);
CREATE INDEX orders_status ON orders (status, sequence DESC);

CREATE TABLE order_lines (
    id uuid PRIMARY KEY,
    order_id uuid NOT NULL REFERENCES orders (id),
    position integer NOT NULL,
    product_id uuid REFERENCES products (id),
    variant_id uuid REFERENCES variants (id),
    sku varchar(64) NOT NULL,
    name varchar(300) NOT NULL,
    unit_price numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    quantity integer NOT NULL CHECK (quantity > 0),
    line_total numeric(14, 2) NOT NULL CHECK (line_total >= 0),
    UNIQUE (order_id, position)
);

CREATE TABLE order_status_history (
    id bigserial PRIMARY KEY,
    order_id uuid NOT NULL REFERENCES orders (id),
    from_status varchar(24),
    to_status varchar(24) NOT NULL,
    note text NOT NULL DEFAULT '',
    actor varchar(64),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_status_history_order ON order_status_history (order_id, id);
"""
