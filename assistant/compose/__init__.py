"""Answer composition: grounded replies from procedure records, and message splitting."""

from assistant.compose.grounded import Composed, compose_answer
from assistant.compose.split import split_message

__all__ = ["Composed", "compose_answer", "split_message"]
