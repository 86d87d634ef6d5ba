"""The documents a review produces, and what a Board publishes."""
