# mk/includes.mk: the layers of the product code. `make check-includes`
# fails, naming it, on an include cycle among the modules of core/, server/
# and client/ (a module is NAME.c with NAME.h; a header without a .c is
# taken in by its includers), on core/ including anything
# of server/ or client/, and on either program including the other's
# headers (tests/tools/include_graph.py). `make lint` runs it first, and
# `make test` through tests/integration/layers.sh.

.PHONY: check-includes
check-includes:
	@python3 tests/tools/include_graph.py
