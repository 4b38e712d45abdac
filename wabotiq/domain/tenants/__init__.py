"""Tenants as a business: signing a shop up (provisioning)."""
