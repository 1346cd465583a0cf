import sys

from offline_preview.cli import main

sys.exit(main())
