"""Package data, not code: the app icon and the idle pool (`idle_pool.npz`, built by
scripts/make_idle_pool.py). pyproject.toml maps this folder onto the package
`slr_desktop.resources`, so a wheel ships it and an editable install points here."""
