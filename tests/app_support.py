"""Helpers for tests that call the Dash pages directly."""


def walk(component):
    """Every component in a Dash layout tree, depth first."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)
