"""Package data, not code: the bundled classifier models (`*.onnx`), their cards (`*.md`) and
`DEFAULT`. pyproject.toml maps this folder onto the package `slr_desktop.models`, so a wheel ships
it and an editable install points here; `slr_desktop.core.package_data` finds it either way."""
