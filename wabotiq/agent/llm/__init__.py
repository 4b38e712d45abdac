"""Language models behind one interface, asked through an ordered failover chain.

`LLMProvider.complete(messages, tools, *, timeout)` is the whole interface: OpenAI, Gemini and
any OpenAI-compatible endpoint implement it, and so does the offline tier that ends the chain.
`FailoverChain` asks them in order with a timeout per call, jittered retries of transient
failures and a circuit breaker per provider (`provider_health()` reports them), and returns the
completion with the hops it took and its estimated cost.

No model is a source of prices or stock. Prices, totals and availability in a reply come only
from tool results, which the providers pass to the model exactly as the tools returned them;
the pipeline checks replies against those results.
"""

from wabotiq.agent.llm.breaker import (
    BREAKERS,
    BreakerRegistry,
    BreakerState,
    CircuitBreaker,
    ProviderHealth,
    provider_health,
)
from wabotiq.agent.llm.chain import AllProvidersFailed, ChainResult, FailoverChain, Hop, RetryPolicy
from wabotiq.agent.llm.errors import CircuitOpenError, FailureKind, LLMError
from wabotiq.agent.llm.factory import build_chain, build_providers, tenant_chain
from wabotiq.agent.llm.prices import PRICES, estimate_cost
from wabotiq.agent.llm.types import Completion, LLMProvider, Message, ToolCall, ToolSpec

__all__ = [
    "BREAKERS",
    "PRICES",
    "AllProvidersFailed",
    "BreakerRegistry",
    "BreakerState",
    "ChainResult",
    "CircuitBreaker",
    "CircuitOpenError",
    "Completion",
    "FailoverChain",
    "FailureKind",
    "Hop",
    "LLMError",
    "LLMProvider",
    "Message",
    "ProviderHealth",
    "RetryPolicy",
    "ToolCall",
    "ToolSpec",
    "build_chain",
    "build_providers",
    "estimate_cost",
    "provider_health",
    "tenant_chain",
]
