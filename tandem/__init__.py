"""The work that spans Tandem's apps, and the only place allowed to import them all.

The apps depend one way: couples <- notifications <- signals <- checkin (notifications may import
couples, signals both, checkin all three; pyproject.toml's import-linter contract fails the lint on an arrow the
other way). What needs several at once lives here: pairing and a schedule change (couples, and
the partner is told), leaving a couple and deleting an account (couples, their open round closes,
the partner is told), the export (signals too) and the demo seed. Named for the product because it is the
product's top layer, the way Zulip's `actions` are; each app below knows nothing of it.
"""
