"""`python -m bench.load`: see bench/load/sessions.py."""

from bench.load.sessions import main

raise SystemExit(main())
