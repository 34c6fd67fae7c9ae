"""Sources of applications and policies: a TOML file, Ant Media Server, THEOlive."""
