"""chargebook: turn a home EV charger into money and insight."""

__version__ = "0.1.0"

__all__ = ["__version__"]
