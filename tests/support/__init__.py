"""The harness the tests and the benchmarks share: one copy of each helper, each module saying what it holds.

The tests import it as `support` (pytest puts tests/ on sys.path for the rootdir
conftest); the benchmarks too, once bench/common.py has put tests/ on sys.path.
Among others: paths (where the real data lies; NUMREC_TEST_MNIST), models (the
model under test; NUMREC_TEST_MODEL), servers (a real `numrec serve`, up and
answering), http (raw HTTP exchanges, blocking and asyncio), xvfb (Xvfb and
xdotool), drawn_data, imagefiles, idxfiles, predictions (the answer contract).

Import the module you need (`from support.servers import numrec_serve`); this
package itself exports nothing.
"""
