"""Console themes as TOML data, shipped as the package ``streamconsole.themes``.

pyproject.toml maps this folder into the package (it is not moved under src/), and the
console reads the files from beside this module. A regular package rather than a
namespace one: setuptools' editable installs cannot import a namespace package nested in
a regular one.
"""
