"""Everything that writes into a repository: fixes (in place, verified, atomic), init and
new (templates), the demo, hook installation. May import config, facts, check and the
model; never report or cli."""
