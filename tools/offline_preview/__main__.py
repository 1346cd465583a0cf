import sys

from tools.offline_preview.cli import main

sys.exit(main())
