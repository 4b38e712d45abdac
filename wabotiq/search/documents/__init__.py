"""Documents for retrieval-augmented answers: text out of uploads, cut into overlapping chunks."""
