from mlwf_lint.cli import main

raise SystemExit(main())
