from rnnclf.cli import main

raise SystemExit(main())
