"""Scrim bridge for Krita: export images protected against generative-AI training."""
from krita import Krita

from .extension import ScrimExtension

Krita.instance().addExtension(ScrimExtension(Krita.instance()))
