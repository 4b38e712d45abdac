"""What the assistant can do, as functions over the domain's own services.

The offline agent calls them directly; a language model calls the same functions by name
through `Toolbox.call` (see `registry`). Each returns a plain result the reply is written from,
so prices, totals, stock and free slots in a reply always come from here, never from a model.
"""

from wabotiq.agent.tools.context import ToolContext
from wabotiq.agent.tools.items import Item
from wabotiq.agent.tools.registry import TOOL_SPECS, Toolbox, ToolCallRecord

__all__ = ["TOOL_SPECS", "Item", "ToolCallRecord", "ToolContext", "Toolbox"]
