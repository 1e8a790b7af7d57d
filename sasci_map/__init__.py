"""SASCI capacity map: innovation capacity in England's adult social care, by council."""

__version__ = "0.1.0"
