"""WhatsApp channels, conversations and messages.

One open conversation per customer and channel (a unique partial index: concurrent first
messages upsert into the same row). Provider message ids are unique, so a redelivered webhook
stores nothing twice; outbound rows carry our own idempotency key, committed before any
provider call. `seq` is the arrival order a conversation's turns follow.
"""

SQL = """
CREATE TABLE channels (
    id uuid PRIMARY KEY,
    provider varchar(16) NOT NULL CHECK (provider IN ('twilio', 'cloud')),
    name varchar(100) NOT NULL DEFAULT '',
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    config jsonb NOT NULL DEFAULT '{}',
    secrets_encrypted text NOT NULL,
    templates jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    channel_id uuid NOT NULL REFERENCES channels (id),
    customer_id uuid NOT NULL REFERENCES customers (id),
    status varchar(16) NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'human', 'resolved')),
    assignee_id uuid,
    language varchar(8),
    last_inbound_at timestamptz,
    last_message_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conversations_open ON conversations (customer_id, channel_id)
    WHERE status <> 'resolved';
CREATE INDEX conversations_recent ON conversations (last_message_at DESC, id);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    seq bigserial NOT NULL UNIQUE,
    conversation_id uuid NOT NULL REFERENCES conversations (id),
    direction varchar(8) NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    author varchar(8) NOT NULL CHECK (author IN ('customer', 'bot', 'human')),
    kind varchar(16) NOT NULL,
    text text NOT NULL DEFAULT '',
    media_url text,
    media_type varchar(128),
    extra jsonb NOT NULL DEFAULT '{}',
    provider_message_id varchar(128),
    idempotency_key varchar(128) UNIQUE,
    status varchar(16) NOT NULL,
    error_code varchar(32),
    sender_user_id uuid,
    raw jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    attempted_at timestamptz,
    processed_at timestamptz
);
CREATE UNIQUE INDEX messages_provider_id ON messages (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, seq);
CREATE INDEX messages_unprocessed ON messages (conversation_id, seq)
    WHERE direction = 'inbound' AND processed_at IS NULL;
CREATE INDEX messages_undelivered ON messages (conversation_id, seq)
    WHERE direction = 'outbound' AND status = 'pending';
"""
