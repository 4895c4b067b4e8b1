"""Relocation plans (spec section 8): read a plan, apply it, evaluate it against the baseline."""
