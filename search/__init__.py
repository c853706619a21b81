"""The full-text index behind one small interface (see base.py once it lands)."""
