"""An Elasticsearch cluster in memory, for request/response tests of the search backend.

The client keeps its own transport (options, retries, serialisation); only its HTTP node is the
library's httpx node over an `httpx.MockTransport`, so each request arrives exactly as the client
sends it — method, path, query string, headers, (ND)JSON body, and the timeout httpx would apply
in `request.extensions["timeout"]` — and each answer is the JSON the Elasticsearch reference
documents. Modelled, because the backend depends on them: the REST compatibility check on media
types, index creation with aliases, `require_alias` and auto-creation on bulk, strict mappings
and the cosine zero-vector refusal, near-real-time visibility (a write is invisible to searches
and delete-by-query until a refresh), and requests that time out (`stall`). Scoring is not: a
text query matches an entry sharing a word with it.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import math
import re
from typing import Any

import httpx
from elastic_transport import HttpxAsyncHttpNode, NodeConfig
from elasticsearch import AsyncElasticsearch

from tests.search.fake_elastic_index import Doc, Index, Json, Refused, matches, search

_COMPAT = re.compile(r"compatible-with=(\d+)")


class FakeCluster:
    """A single-node cluster of Elasticsearch `version`; `requests` lists what reached it."""

    def __init__(self, version: str = "9.5.7") -> None:
        self.version = version
        self.major = int(version.split(".")[0])
        self.indexes: dict[str, Index] = {}
        self.requests: list[httpx.Request] = []
        self._stalls: dict[str, int] = {}
        self._seq = itertools.count()

    # Test helpers ----------------------------------------------------------------------------

    def client(self, **options: Any) -> AsyncElasticsearch:
        """An async client whose requests reach this cluster."""
        handler = httpx.MockTransport(self.handle)

        class Node(HttpxAsyncHttpNode):
            def __init__(self, config: NodeConfig) -> None:
                super().__init__(config)
                self.client = httpx.AsyncClient(
                    base_url=f"{config.scheme}://{config.host}:{config.port}",
                    transport=handler,
                    timeout=config.request_timeout,
                )

        return AsyncElasticsearch("http://es.test:9200", node_class=Node, **options)

    def stall(self, kind: str, times: int = 1) -> None:
        """Let the next `times` requests of this `endpoint` kind (e.g. `_bulk`) time out."""
        self._stalls[kind] = times

    def calls(self, kind: str) -> list[httpx.Request]:
        """The requests of this `endpoint` kind so far."""
        return [request for request in self.requests if endpoint(request) == kind]

    def put(self, index: str, doc_id: str, source: Json) -> None:
        """A document another process wrote moments ago: stored, not yet refreshed."""
        self.indexes[index].docs[doc_id] = Doc(source, None, next(self._seq))

    def drop(self, name: str) -> None:
        """Delete an index as an operator would (its aliases go with it)."""
        del self.indexes[name]

    # Dispatch --------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        kind = endpoint(request)
        if self._stalls.get(kind):
            self._stalls[kind] -= 1
            raise httpx.ReadTimeout("timed out", request=request)
        try:
            self._check_media_types(request)
            return self._json(request, 200, self._route(request, kind))
        except Refused as refused:
            return self._json(request, refused.status, refused.body())

    def _json(self, request: httpx.Request, status: int, body: Json) -> httpx.Response:
        asked = _COMPAT.search(request.headers.get("accept", ""))
        mimetype = "application/json"
        if asked and status != 400:
            mimetype = f"application/vnd.elasticsearch+json;compatible-with={asked.group(1)}"
        headers = {"X-Elastic-Product": "Elasticsearch", "content-type": mimetype}
        return httpx.Response(status, headers=headers, content=json.dumps(body).encode())

    def _route(self, request: httpx.Request, kind: str) -> Json:
        parts = request.url.path.strip("/").split("/")
        params = dict(request.url.params)
        if kind == "_bulk":
            return self._bulk(request.content, params)
        if kind == "_msearch":
            return self._msearch(request.content)
        target = parts[0] if len(parts) == 2 else "_all"
        body = json.loads(request.content) if request.content else {}
        if kind == "_refresh":
            indexes = self._resolve(target, params)
            for index in indexes:
                index.refresh()
            return {"_shards": {"total": len(indexes), "successful": len(indexes), "failed": 0}}
        if kind == "_delete_by_query":
            return self._delete_by_query(self._resolve(target, params), body, params)
        if kind == "_search":
            return search(self._resolve(target, params), body)
        if request.method == "PUT" and len(parts) == 1:
            return self._create(parts[0], body)
        if request.method == "GET" and len(parts) == 1:
            return {
                index.name: {"aliases": {alias: {} for alias in sorted(index.aliases)},
                             "mappings": index.mappings, "settings": index.settings}
                for index in self._resolve(parts[0], params)
            }  # fmt: skip
        if request.method == "DELETE" and len(parts) == 1:
            return self._delete_indexes(parts[0].split(","))
        if request.method == "GET" and parts[0] == "_alias":
            return self._get_alias(parts[1])
        raise Refused(400, "illegal_argument_exception", f"no handler for {request.url.path}")

    def _check_media_types(self, request: httpx.Request) -> None:
        """REST API compatibility: a server accepts its own major and the one before."""
        accept, content_type = (
            request.headers.get("accept", ""),
            request.headers.get("content-type", ""),
        )
        allowed = (self.major, self.major - 1)
        problem = None
        for name, value in (("Accept", accept), ("Content-Type", content_type)):
            found = _COMPAT.search(value)
            if found and int(found.group(1)) not in allowed:
                problem = (
                    f"{name} version must be either version {allowed[0]} or {allowed[1]},"
                    f" but found {found.group(1)}. {name}={value}"
                )
                break
        if (
            problem is None
            and request.content
            and bool(_COMPAT.search(accept)) != bool(_COMPAT.search(content_type))
        ):
            problem = (
                "A compatible version is required on both Content-Type and Accept headers if"
                f" either one has requested a compatible version. Accept={accept},"
                f" Content-Type={content_type}"
            )
        if problem is not None:
            raise Refused(
                400,
                "media_type_header_exception",
                "Invalid media-type value on headers [Accept, Content-Type]",
                caused_by={"type": "status_exception", "reason": problem},
            )

    # Index management ------------------------------------------------------------------------

    def _create(self, name: str, body: Json) -> Json:
        if name in self.indexes:
            raise Refused(
                400,
                "resource_already_exists_exception",
                f"index [{name}/Xq3nE1kTQ2eJ6o0Y5m7h4A] already exists",
                index=name,
            )
        self.indexes[name] = Index(
            name, body.get("settings", {}), body.get("mappings", {}), set(body.get("aliases", {}))
        )
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _delete_indexes(self, names: list[str]) -> Json:
        if any("*" in name or name == "_all" for name in names):
            # action.destructive_requires_name defaults to true.
            raise Refused(
                400, "illegal_argument_exception",
                "Wildcard expressions or all indices are not allowed",
            )  # fmt: skip
        for name in names:
            if name not in self.indexes:
                raise Refused(404, "index_not_found_exception", f"no such index [{name}]")
        for name in names:
            del self.indexes[name]
        return {"acknowledged": True}

    def _get_alias(self, alias: str) -> Json:
        found = {
            index.name: {"aliases": {alias: {}}}
            for index in self.indexes.values()
            if alias in index.aliases
        }
        if not found:
            raise _MissingAlias(alias)
        return found

    def _resolve(self, expression: str, params: dict[str, str]) -> list[Index]:
        found: dict[str, Index] = {}
        for part in expression.split(","):
            matched = [
                index
                for index in self.indexes.values()
                if part in ("_all", "*")
                or fnmatch.fnmatchcase(index.name, part)
                or any(fnmatch.fnmatchcase(alias, part) for alias in index.aliases)
            ]
            if not matched and "*" not in part and params.get("ignore_unavailable") != "true":
                raise Refused(404, "index_not_found_exception", f"no such index [{part}]")
            found.update((index.name, index) for index in matched)
        if not found and params.get("allow_no_indices") == "false":
            raise Refused(404, "index_not_found_exception", f"no such index [{expression}]")
        return list(found.values())

    # Writes ----------------------------------------------------------------------------------

    def _bulk(self, content: bytes, params: dict[str, str]) -> Json:
        lines = [json.loads(line) for line in content.splitlines() if line.strip()]
        items, touched = [], set()
        position = 0
        while position < len(lines):
            ((op, meta),) = lines[position].items()
            if op != "index":
                raise Refused(400, "illegal_argument_exception", f"{op} is not modelled")
            source = lines[position + 1]
            position += 2
            require_alias = meta.get("require_alias", params.get("require_alias") == "true")
            item = self._write(meta, source, require_alias)
            touched.add(item["_index"])
            items.append({op: item})
        if params.get("refresh") in ("true", "", "wait_for"):
            for name in touched & self.indexes.keys():
                self.indexes[name].refresh()
        errors = any("error" in item for entry in items for item in entry.values())
        return {"errors": errors, "took": 2, "items": items}

    def _write(self, meta: Json, source: Json | None, require_alias: bool) -> Json:
        target, doc_id = meta["_index"], meta["_id"]
        is_alias = any(target in index.aliases for index in self.indexes.values())
        try:
            if require_alias and not is_alias:
                raise Refused(
                    404,
                    "index_not_found_exception",
                    f"no such index [{target}] and [require_alias] request flag is [true] and"
                    f" [{target}] is not an alias",
                    **{"resource.type": "index_or_alias", "resource.id": target},
                    index_uuid="_na_",
                    index=target,
                )
            index = self._write_index(target)
            _check_document(index, source or {})
        except Refused as refused:
            error = refused.error
            return {"_index": target, "_id": doc_id, "status": refused.status, "error": error}
        previous = index.docs.get(doc_id)
        seq_no = next(self._seq)
        index.docs[doc_id] = Doc(
            source, meta.get("routing"), seq_no,
            previous.seen if previous else None, previous.seen_seq_no if previous else None,
        )  # fmt: skip
        return {
            "_index": index.name, "_id": doc_id, "_version": 1, "_seq_no": seq_no,
            "result": "updated" if previous else "created", "_primary_term": 1,
            "_shards": {"total": 2, "successful": 1, "failed": 0},
            "status": 200 if previous else 201,
        }  # fmt: skip

    def _write_index(self, target: str) -> Index:
        if target in self.indexes:
            return self.indexes[target]
        for index in self.indexes.values():
            if target in index.aliases:
                return index
        # Automatic index creation (action.auto_create_index defaults to true): dynamic
        # mappings and no aliases.
        self.indexes[target] = Index(target, {}, {}, set(), auto_created=True)
        return self.indexes[target]

    def _delete_by_query(self, indexes: list[Index], body: Json, params: dict[str, str]) -> Json:
        deleted = conflicts = 0
        for index in indexes:
            for doc_id, doc in index.visible():
                if matches(doc.seen or {}, body["query"]):
                    if doc.seen_seq_no == doc.seq_no:
                        del index.docs[doc_id]
                        deleted += 1
                    else:  # changed since the snapshot: a version conflict
                        conflicts += 1
            if params.get("refresh") == "true":
                index.refresh()
        return {
            "took": 3, "timed_out": False, "total": deleted + conflicts, "deleted": deleted,
            "batches": 1, "version_conflicts": conflicts, "noops": 0,
            "retries": {"bulk": 0, "search": 0}, "throttled_millis": 0,
            "requests_per_second": -1.0, "throttled_until_millis": 0, "failures": [],
        }  # fmt: skip

    # Searches --------------------------------------------------------------------------------

    def _msearch(self, content: bytes) -> Json:
        lines = [json.loads(line) for line in content.splitlines() if line.strip()]
        responses = []
        for header, body in zip(lines[::2], lines[1::2], strict=True):
            try:
                indexes = self._resolve(header["index"], _flags(header))
                responses.append({**search(indexes, body), "status": 200})
            except Refused as refused:
                responses.append(refused.body())
        return {"took": 4, "responses": responses}


class _MissingAlias(Refused):
    def __init__(self, alias: str) -> None:
        super().__init__(404, "", "")
        self.alias = alias

    def body(self) -> Json:
        return {"error": f"alias [{self.alias}] missing", "status": 404}


def endpoint(request: httpx.Request) -> str:
    """A request's kind: its last `_api` path part (`_bulk`, `_refresh`, ...), else its method
    (`PUT /<index>` creates an index)."""
    parts = request.url.path.strip("/").split("/")
    special = [part for part in parts if part.startswith("_")]
    return special[-1] if special else request.method


def _flags(header: Json) -> dict[str, str]:
    return {key: str(value).lower() for key, value in header.items() if key != "index"}


def _check_document(index: Index, source: Json) -> None:
    properties = index.mappings.get("properties", {})
    if index.mappings.get("dynamic") == "strict":
        for name in source:
            if name not in properties:
                raise Refused(
                    400,
                    "strict_dynamic_mapping_exception",
                    f"[1:2] mapping set to strict, dynamic introduction of [{name}] within"
                    " [_doc] is not allowed",
                )
    for name, mapping in properties.items():
        value = source.get(name)
        if mapping.get("type") != "dense_vector" or value is None:
            continue
        if len(value) != mapping["dims"]:
            reason = (
                f"The number of dimensions for field [{name}] should be [{mapping['dims']}]"
                f" but found [{len(value)}]"
            )
        elif mapping.get("similarity") == "cosine" and math.fsum(x * x for x in value) == 0:
            reason = (
                "The [cosine] similarity does not support vectors with zero magnitude."
                f" Preview of invalid vector: {[float(x) for x in value[:5]]}"
            )
        else:
            continue
        raise Refused(
            400,
            "document_parsing_exception",
            f"[1:1] failed to parse: {reason}",
            caused_by={"type": "illegal_argument_exception", "reason": reason},
        )
