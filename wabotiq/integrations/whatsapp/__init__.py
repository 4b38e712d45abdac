"""WhatsApp providers (Twilio, Meta's Cloud API) behind one `Channel` interface."""
