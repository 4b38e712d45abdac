"""One package per provider (Twilio, Stripe, M-Pesa, Paystack, Pesapal, WooCommerce, Shopify):
client, webhook verification and mapping onto the domain; never the GraphQL API."""
