"""The check pipeline: a CheckRequest → facts → rules → CheckResult, and diff mode.
May import config, facts, rules and the model (findings, errors); never cli, report or write."""
