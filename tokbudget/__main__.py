from tokbudget.cli import main

raise SystemExit(main())
