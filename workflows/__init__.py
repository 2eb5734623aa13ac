"""The workflows that span Tandem's apps, and the only app allowed to import them all.

The apps depend one way: foundation <- couples <- notifications <- signals <- checkin
(pyproject.toml's import-linter contract fails the lint on an arrow the other way). What needs
several at once lives here, each step in one transaction: pairing and a schedule change (couples,
and the partner is told), leaving a couple and deleting an account (couples, their open round
closes, the partner is told), the account emails, the export (signals too) and the demo seed.
Named for its role, as Zulip's `actions` are: the apps below know nothing of it.
"""
