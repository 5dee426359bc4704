"""mlwf-lint: make an ML repository's model cards, data lineage, rollback plans and
decision records true, against what DVC and Git say."""

__version__ = "0.1.0"
