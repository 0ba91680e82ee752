# mk/size.mk: the size limits of the product code (docs/ARCHITECTURE.md):
# no function over 80 lines, no .c file over 1,000 lines in core/, server/
# and client/. `make check-size` lists any that are over and fails.

.PHONY: check-size
check-size:
	@python3 tests/tools/code_size.py
