"""Taking payment for orders: one interface every payment provider implements."""
