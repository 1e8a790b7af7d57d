"""Dash pages of the SASCI capacity map: layout and callbacks only; the work is in sasci_map."""
