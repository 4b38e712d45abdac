from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import re
from collections.abc import AsyncIterator, Callable

import httpx
import numpy as np
import pytest

from wabotiq.core.settings import ConfigurationError, Settings
from wabotiq.search.embedders import EmbeddingError, embedder_kind, make_embedder
from wabotiq.search.embedders.cache import QueryCache
from wabotiq.search.embedders.gemini import GeminiEmbedder
from wabotiq.search.embedders.offline import DIM, MODEL, OfflineEmbedder
from wabotiq.search.embedders.openai_embedder import OpenAIEmbedder, model_dim

Handler = Callable[[httpx.Request], httpx.Response]


def raw_vector(text: str, dim: int) -> np.ndarray:
    """A deterministic, deliberately not unit-length vector for `text`, as a provider might send."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return np.random.default_rng(seed).uniform(-3.0, 3.0, dim).astype(np.float32)


def unit(vector: np.ndarray) -> np.ndarray:
    as_float = vector.astype(np.float64)
    return as_float / np.linalg.norm(as_float)


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


def make_settings(**values: object) -> Settings:
    values.setdefault("openai_api_key", None)
    values.setdefault("gemini_api_key", None)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def recorded() -> list[httpx.Request]:
    return []


@pytest.fixture
async def mock_client() -> AsyncIterator[Callable[[Handler], httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []

    def build(handler: Handler) -> httpx.AsyncClient:
        clients.append(httpx.AsyncClient(transport=httpx.MockTransport(handler)))
        return clients[-1]

    yield build
    for client in clients:
        await client.aclose()


# --- OpenAI wire format: POST {base}/embeddings ---------------------------------------------


def openai_handler(recorded: list[httpx.Request], dim: int, *, reverse: bool = False) -> Handler:
    """Answers like the API: float lists, or little-endian float32 base64 when asked for."""

    def handle(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        body = json.loads(request.content)
        rows = []
        for index, text in enumerate(body["input"]):
            vector = raw_vector(text, body.get("dimensions", dim))
            encoded: object = (
                base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if body.get("encoding_format") == "base64"
                else vector.tolist()
            )
            rows.append({"object": "embedding", "index": index, "embedding": encoded})
        if reverse:
            rows.reverse()
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": rows,
                "model": body["model"],
                "usage": {"prompt_tokens": 5, "total_tokens": 5},
            },
        )

    return handle


def openai_embedder(client: httpx.AsyncClient, **options: object) -> OpenAIEmbedder:
    return OpenAIEmbedder(
        api_key="sk-test-123",
        base_url="https://openai.test/v1",
        model="text-embedding-3-small",
        http_client=client,
        max_retries=0,
        **options,  # type: ignore[arg-type]
    )


async def test_openai_sends_the_documented_request(recorded, mock_client) -> None:
    embedder = openai_embedder(mock_client(openai_handler(recorded, 1536)))

    vectors = await embedder.embed_passages(["Samsung Galaxy A54", "Men's haircut"])

    (request,) = recorded
    assert request.method == "POST"
    assert request.url == "https://openai.test/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    body = json.loads(request.content)
    assert body["model"] == "text-embedding-3-small"
    assert body["input"] == ["Samsung Galaxy A54", "Men's haircut"]
    assert "dimensions" not in body
    assert body.get("encoding_format", "float") in {"float", "base64"}
    assert embedder.model == "openai/text-embedding-3-small"
    assert embedder.dim == 1536
    for text, vector in zip(["Samsung Galaxy A54", "Men's haircut"], vectors, strict=True):
        assert len(vector) == 1536
        assert np.allclose(vector, unit(raw_vector(text, 1536)), atol=1e-6)


async def test_openai_shortened_dimensions_are_requested_and_normalised(
    recorded, mock_client
) -> None:
    embedder = openai_embedder(mock_client(openai_handler(recorded, 1536)), dimensions=256)

    (vector,) = await embedder.embed_queries(["simu ya samsung"])

    assert json.loads(recorded[0].content)["dimensions"] == 256
    assert embedder.dim == 256
    assert len(vector) == 256
    assert math.isclose(float(np.linalg.norm(vector)), 1.0, abs_tol=1e-9)


async def test_openai_batches_inputs_and_keeps_their_order(recorded, mock_client) -> None:
    embedder = openai_embedder(
        mock_client(openai_handler(recorded, 1536, reverse=True)), batch_size=2
    )
    texts = [f"product {n}" for n in range(5)]

    vectors = await embedder.embed_passages(texts)

    assert [json.loads(r.content)["input"] for r in recorded] == [
        ["product 0", "product 1"],
        ["product 2", "product 3"],
        ["product 4"],
    ]
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, unit(raw_vector(text, 1536)), atol=1e-6)


async def test_openai_http_error_is_an_embedding_error(mock_client) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        error = {
            "message": "Incorrect API key provided: sk-test-123.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
        return httpx.Response(401, json={"error": error})

    embedder = openai_embedder(mock_client(refuse))

    with pytest.raises(EmbeddingError) as caught:
        await embedder.embed_queries(["simu"])
    assert caught.value.provider == "openai"
    assert caught.value.status == 401
    assert "Incorrect API key" in str(caught.value)


async def test_openai_wrong_vector_size_is_an_embedding_error(recorded, mock_client) -> None:
    embedder = openai_embedder(mock_client(openai_handler(recorded, 3)))

    with pytest.raises(EmbeddingError, match="1536"):
        await embedder.embed_queries(["simu"])


def test_openai_model_dimension() -> None:
    assert model_dim("text-embedding-3-small", None) == 1536
    assert model_dim("text-embedding-3-large", 1024) == 1024
    assert model_dim("my-finetune", 512) == 512
    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM_OPENAI"):
        model_dim("my-finetune", None)


# --- Gemini wire format: POST {base}/{version}/models/{model}:batchEmbedContents -----------------


def gemini_handler(recorded: list[httpx.Request], *, dim: int | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        requests = json.loads(request.content)["requests"]
        embeddings = [
            {
                "values": raw_vector(
                    item["content"]["parts"][0]["text"], dim or item["outputDimensionality"]
                ).tolist()
            }
            for item in requests
        ]
        return httpx.Response(200, json={"embeddings": embeddings})

    return handle


def gemini_embedder(client: httpx.AsyncClient, **options: object) -> GeminiEmbedder:
    return GeminiEmbedder(
        api_key="AIza-test",
        base_url="https://gemini.test",
        model="gemini-embedding-001",
        dim=768,
        http_client=client,
        max_retries=0,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("method", "task"),
    [("embed_queries", "RETRIEVAL_QUERY"), ("embed_passages", "RETRIEVAL_DOCUMENT")],
)
async def test_gemini_sends_the_documented_request(recorded, mock_client, method, task) -> None:
    embedder = gemini_embedder(mock_client(gemini_handler(recorded)))
    texts = ["simu ya samsung", "kinyozi"]

    vectors = await getattr(embedder, method)(texts)

    (request,) = recorded
    assert request.method == "POST"
    assert request.url.host == "gemini.test"
    path = r"/v1(beta)?/models/gemini-embedding-001:batchEmbedContents"
    assert re.fullmatch(path, request.url.path)
    assert request.headers["x-goog-api-key"] == "AIza-test"
    sent = json.loads(request.content)["requests"]
    assert [item["content"]["parts"] for item in sent] == [[{"text": t}] for t in texts]
    assert {item["model"] for item in sent} == {"models/gemini-embedding-001"}
    assert {item["taskType"] for item in sent} == {task}
    assert {item["outputDimensionality"] for item in sent} == {768}
    assert embedder.model == "gemini/gemini-embedding-001"
    for text, vector in zip(texts, vectors, strict=True):
        assert len(vector) == 768
        assert np.allclose(vector, unit(raw_vector(text, 768)), atol=1e-6)


async def test_gemini_batches_at_most_batch_size_requests(recorded, mock_client) -> None:
    embedder = gemini_embedder(mock_client(gemini_handler(recorded)), batch_size=3)
    texts = [f"passage {n}" for n in range(7)]

    vectors = await embedder.embed_passages(texts)

    sizes = [len(json.loads(r.content)["requests"]) for r in recorded]
    assert sizes == [3, 3, 1]
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, unit(raw_vector(text, 768)), atol=1e-6)


async def test_gemini_http_error_is_an_embedding_error(mock_client) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        error = {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
        }
        return httpx.Response(400, json={"error": error})

    embedder = gemini_embedder(mock_client(refuse))

    with pytest.raises(EmbeddingError) as caught:
        await embedder.embed_passages(["kinyozi"])
    assert caught.value.provider == "gemini"
    assert caught.value.status == 400
    assert "API key not valid" in str(caught.value)


async def test_gemini_wrong_vector_size_is_an_embedding_error(recorded, mock_client) -> None:
    embedder = gemini_embedder(mock_client(gemini_handler(recorded, dim=3072)))

    with pytest.raises(EmbeddingError, match="768"):
        await embedder.embed_queries(["simu"])


# --- Offline ----------------------------------------------------------------------------------


async def test_offline_gives_unit_vectors_of_384() -> None:
    embedder = OfflineEmbedder()

    queries = await embedder.embed_queries(["simu ya samsung", "bei rahisi"])
    passages = await embedder.embed_passages(["Samsung Galaxy A54 smartphone"])

    assert embedder.model == MODEL
    assert embedder.dim == DIM == 384
    for vector in [*queries, *passages]:
        assert len(vector) == 384
        assert all(isinstance(x, float) for x in vector)
        assert math.isclose(float(np.linalg.norm(vector)), 1.0, abs_tol=1e-9)


async def test_offline_embeds_queries_and_passages_differently() -> None:
    embedder = OfflineEmbedder()

    (query,) = await embedder.embed_queries(["Samsung Galaxy A54 smartphone"])
    (passage,) = await embedder.embed_passages(["Samsung Galaxy A54 smartphone"])

    assert not np.allclose(query, passage, atol=1e-3)


async def test_offline_swahili_query_is_closest_to_the_matching_passage() -> None:
    embedder = OfflineEmbedder()

    (query,) = await embedder.embed_queries(["simu ya samsung"])
    phone, haircut = await embedder.embed_passages(
        ["Samsung Galaxy A54 smartphone", "Men's haircut"]
    )

    assert cosine(query, phone) > cosine(query, haircut) + 0.05


async def test_offline_batches_passages_and_serves_concurrent_calls() -> None:
    embedder = OfflineEmbedder()
    texts = [f"Bidhaa namba {n}: chaja ya simu" for n in range(70)]  # more than one batch

    together, *singles = await asyncio.gather(
        embedder.embed_passages(texts),
        *(embedder.embed_passages([texts[n]]) for n in (0, 33, 69)),
    )

    assert len(together) == 70
    for n, (single,) in zip((0, 33, 69), singles, strict=True):
        assert cosine(together[n], single) > 0.999
    assert cosine(together[0], together[69]) < 0.999  # different texts, different vectors
    assert await embedder.embed_passages([]) == []


# --- Query cache and selection -----------------------------------------------------------------


async def test_repeated_queries_are_served_from_the_cache(recorded, mock_client) -> None:
    embedder = QueryCache(openai_embedder(mock_client(openai_handler(recorded, 1536))), size=2)

    first = await embedder.embed_queries(["simu", "laptop"])
    again = await embedder.embed_queries(["laptop", "simu", "simu"])
    await embedder.embed_queries(["tv"])  # evicts "laptop", the least recently used
    await embedder.embed_queries(["laptop", "simu"])

    sent = [json.loads(r.content)["input"] for r in recorded]
    assert sent == [["simu", "laptop"], ["tv"], ["laptop"]]
    assert again == [first[1], first[0], first[0]]
    assert embedder.model == "openai/text-embedding-3-small"
    assert embedder.dim == 1536


async def test_passages_are_not_cached(recorded, mock_client) -> None:
    embedder = QueryCache(openai_embedder(mock_client(openai_handler(recorded, 1536))))

    await embedder.embed_passages(["Samsung Galaxy A54"])
    await embedder.embed_passages(["Samsung Galaxy A54"])

    assert len(recorded) == 2


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({}, "offline"),
        ({"gemini_api_key": "g"}, "gemini"),
        ({"openai_api_key": "o", "gemini_api_key": "g"}, "openai"),
        ({"openai_api_key": "o", "embedder": "offline"}, "offline"),
        ({"openai_api_key": "o", "gemini_api_key": "g", "embedder": "gemini"}, "gemini"),
    ],
)
def test_embedder_kind_follows_settings(values, kind) -> None:
    assert embedder_kind(make_settings(**values)) == kind


async def test_make_embedder_builds_the_chosen_provider(recorded, mock_client) -> None:
    client = mock_client(openai_handler(recorded, 1536))
    settings = make_settings(
        openai_api_key="sk-live", openai_base_url="https://proxy.test/openai/v1"
    )

    embedder = make_embedder(settings, http_client=client)
    await embedder.embed_queries(["simu"])

    assert embedder.model == "openai/text-embedding-3-small"
    assert recorded[0].url == "https://proxy.test/openai/v1/embeddings"
    assert recorded[0].headers["authorization"] == "Bearer sk-live"


async def test_make_embedder_passes_gemini_settings(recorded, mock_client) -> None:
    settings = make_settings(gemini_api_key="AIza-live", embedding_dim_gemini=256)

    embedder = make_embedder(settings, http_client=mock_client(gemini_handler(recorded)))
    (vector,) = await embedder.embed_queries(["simu"])

    assert (embedder.model, embedder.dim, len(vector)) == ("gemini/gemini-embedding-001", 256, 256)
    assert recorded[0].url.host == "generativelanguage.googleapis.com"
    assert json.loads(recorded[0].content)["requests"][0]["outputDimensionality"] == 256


def test_make_embedder_defaults_to_offline() -> None:
    embedder = make_embedder(make_settings())

    assert (embedder.model, embedder.dim) == (MODEL, 384)


def test_a_chosen_provider_needs_its_key() -> None:
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        make_embedder(make_settings(embedder="openai"))


def test_api_keys_stay_out_of_settings_repr() -> None:
    settings = make_settings(openai_api_key="sk-secret-1", gemini_api_key="AIza-secret-2")

    assert "sk-secret-1" not in repr(settings)
    assert "AIza-secret-2" not in repr(settings)


@pytest.mark.parametrize("build", [openai_embedder, gemini_embedder])
async def test_unreachable_provider_is_an_embedding_error(mock_client, build) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    embedder = build(mock_client(unreachable))

    with pytest.raises(EmbeddingError) as caught:
        await embedder.embed_queries(["simu"])
    assert caught.value.status is None
    assert caught.value.provider in {"openai", "gemini"}
