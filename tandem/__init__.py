"""The work that spans Tandem's three apps, and the only place allowed to import them all.

The apps depend one way: couples <- notifications <- checkin (notifications may import couples,
checkin may import both; pyproject.toml's import-linter contract fails the lint on an arrow the
other way). What needs all three at once lives here: pairing and a schedule change (couples, and
the partner is told), leaving a couple and deleting an account (couples, their open round closes,
the partner is told), the export and the demo seed. Named for the product because it is the
product's top layer, the way Zulip's `actions` are; each app below knows nothing of it.
"""
