"""Which tenant a WhatsApp channel belongs to: provider webhooks carry the channel id in their
URL and no tenant headers, so the route to the tenant's schema starts here."""

SQL = """
CREATE TABLE public.channel_routes (
    channel_id uuid PRIMARY KEY,
    tenant_id varchar(12) NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_routes_tenant ON public.channel_routes (tenant_id);
"""
