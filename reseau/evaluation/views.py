"""Views of the evaluation room."""
