"""Replies written for WhatsApp: the customer's register, short lines, numbered lists."""
