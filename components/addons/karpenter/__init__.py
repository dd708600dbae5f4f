"""karpenter."""

from .component import *  # noqa: F403
