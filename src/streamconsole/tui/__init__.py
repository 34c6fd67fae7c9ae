"""The Textual console (see app.py); importing this package imports nothing heavy."""
