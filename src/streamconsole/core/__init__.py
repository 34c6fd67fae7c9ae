"""The pure core: model, keys, tokens. No Textual, no I/O."""
