"""Search on Elasticsearch: shared indexes with tenant routing, BM25 and kNN fused by RRF."""

from wabotiq.search.elastic.backend import ElasticsearchBackend, make_elastic_backend

__all__ = ["ElasticsearchBackend", "make_elastic_backend"]
