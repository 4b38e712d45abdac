"""The assistant: per-tenant settings (one row) and one interaction record per answered turn."""

SQL = """
CREATE TABLE assistant_settings (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    llm_chain jsonb NOT NULL DEFAULT '[]',
    payment_instructions text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_interactions (
    id bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id uuid,
    intent varchar(32) NOT NULL,
    understood boolean NOT NULL DEFAULT true,
    language varchar(8) NOT NULL,
    tier varchar(16) NOT NULL,
    provider varchar(32) NOT NULL,
    model varchar(128) NOT NULL DEFAULT '',
    tokens_in integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    cost_usd numeric(12, 6),
    latency_ms double precision NOT NULL DEFAULT 0,
    tools jsonb NOT NULL DEFAULT '[]',
    hops jsonb NOT NULL DEFAULT '[]',
    shown jsonb NOT NULL DEFAULT '[]',
    handoff boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_interactions_conversation ON agent_interactions (conversation_id, id DESC);
CREATE INDEX agent_interactions_created ON agent_interactions (created_at);
"""
