"""The thin edges to the outside: git (files, history) and DVC (YAML files; the dvc
library, lazily). Return plain data; may import facts' parsing, files and globs and the
model; never rules, report, check, write or cli."""
