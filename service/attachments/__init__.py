"""Files attached to knowledge assets: stored by content, their text searched with the asset."""
