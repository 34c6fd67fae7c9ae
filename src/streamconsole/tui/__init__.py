"""The Textual console: screens and widgets."""
