"""Talk to a shop offline: customer messages go through the real webhook, queue, assistant and
outbound path of an in-process app, and the provider at the end is a local stand-in that keeps
what would have been sent (`wabotiq chat`, the agent benchmark)."""
