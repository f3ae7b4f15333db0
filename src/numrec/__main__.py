import sys

from numrec.faces.cli import main

sys.exit(main())
