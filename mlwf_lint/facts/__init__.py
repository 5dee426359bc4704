"""The repository as plain data, read once: files, documents (parsing, positions), schemas
(a first pass that vouches for valid documents, then jsonschema), history facts, model
detection and the result cache, with sources/ for Git and DVC.
May import config and the model; never rules, report, check, write or cli."""
