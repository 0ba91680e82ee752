# mk/check.mk: the suite under sanitizers and under valgrind, and static
# analysis. Each build has its own folder, so none disturbs build/ or bin/.
#
#   make test-asan       the unit tests and both programs built with
#                        -fsanitize=address,undefined in build-asan/ (gcc),
#                        then every unit test and, with SERVER_BIN and
#                        CLIENT_BIN pointing there, every integration test;
#                        a sanitizer report from any process fails the run
#   make test-valgrind   one 3-party session (create, share, sumpoint,
#                        result) with the server and every client under
#                        valgrind memcheck, from build-vg/: zero errors and
#                        zero definite or indirect leaks, or it fails
#   make lint            check-includes (mk/includes.mk), then cppcheck and
#                        clang-tidy (checks in .clang-tidy) over core/
#                        server/ client/; any finding fails

ASAN_B     ?= build-asan
ASAN_SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer
VG_B       ?= build-vg
LINT_B     ?= build-lint
CLANG_TIDY ?= clang-tidy-14
CPPCHECK   ?= cppcheck

.PHONY: test-asan test-valgrind lint _progs _progs-and-units _lint-gen

test-asan:
	@$(MAKE) --no-print-directory B=$(ASAN_B) SAN="$(ASAN_SAN)" OPT="-O1 -g" \
	    _progs-and-units
	@tests/tools/sanitizer-suite.sh $(ASAN_B)

test-valgrind:
	@$(MAKE) --no-print-directory B=$(VG_B) OPT="-O1 -g" _progs
	@tests/tools/valgrind-session.sh $(VG_B)/bin

# ---- inside the sub-make: B is the folder of that build ------------------
# The programs of this build: like bin/mpc-*, but in $(B)/bin.
_progs: $(B)/bin/mpc-server $(B)/bin/mpc-client
_progs-and-units: _progs $(UNIT_BIN)

$(B)/bin/mpc-server: $(B)/server/main.o $(B)/libserver.a $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)

$(B)/bin/mpc-client: $(B)/client/main.o $(B)/libclient.a $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

# ---- lint -----------------------------------------------------------------
# Both tools need the generated protobuf headers, made here in build-lint/.
LINT_SRC   = $(wildcard core/*.c server/*.c client/*.c)
LINT_DEFS  := -std=c11 -D_GNU_SOURCE -DSS_VERSION=\"lint\"
LINT_INC_S := -Icore -Iserver -I$(LINT_B)/gen/server
LINT_INC_C := -Icore -Iclient -Iinclude -I$(LINT_B)/gen/client

_lint-gen: $(GEN_S)/securesum.pb-c.h $(GEN_C)/securesum.pb.h

# The generated headers refuse to be read without these macros of the
# installed libraries; cppcheck reads no system header, so they are passed.
LINT_VERSIONS = \
    -DPROTOBUF_C_VERSION_NUMBER=$$(sed -n 's/^\#define PROTOBUF_C_VERSION_NUMBER[[:space:]]*//p' /usr/include/protobuf-c/protobuf-c.h) \
    -DPROTOBUF_C_MIN_COMPILER_VERSION=$$(sed -n 's/^\#define PROTOBUF_C_MIN_COMPILER_VERSION[[:space:]]*//p' /usr/include/protobuf-c/protobuf-c.h) \
    -DPB_PROTO_HEADER_VERSION=$$(sed -n 's/^\#define PB_PROTO_HEADER_VERSION[[:space:]]*//p' /usr/include/pb.h)

# cppcheck groups:
#   warning      real bugs: bounds, leaks, null pointers, uninitialised data
#   style        redundant or always-true conditions, dead assignments...
#   performance, portability   cheap and rarely noisy
# Suppressed, each for a reason:
#   variableScope         taste: this code declares at the top of a block
#   readdirCalled         asks for readdir_r, which glibc deprecates; readdir
#                         is safe unless threads share one DIR*
#   unusedStructMember    in client/main.c struct opt's has_arg is set
#                         (always 1) and never read: dead, harmless, left to
#                         the client
#   missingIncludeSystem  system headers are not analysed
#   unusedFunction        (not enabled) meaningful only for whole programs
CPPCHECK_FLAGS = --quiet --error-exitcode=1 --inline-suppr --std=c11 \
    --enable=warning,style,performance,portability --library=posix \
    --suppress=variableScope --suppress=readdirCalled \
    --suppress=unusedStructMember:client/main.c \
    --suppress=missingIncludeSystem \
    --template='{file}:{line}: [{id}] {message}'

lint: check-includes
	@for t in $(CPPCHECK) $(CLANG_TIDY); do command -v $$t >/dev/null || { \
	    echo "lint: $$t not found (Debian: apt-get install cppcheck clang-tidy-14)" >&2; \
	    exit 1; }; done
	@$(MAKE) --no-print-directory B=$(LINT_B) _lint-gen
	@echo "lint: cppcheck $$($(CPPCHECK) --version | cut -d' ' -f2) over core/ server/ client/"
	@$(CPPCHECK) $(CPPCHECK_FLAGS) -j 2 -D_GNU_SOURCE -DSS_VERSION='"lint"' $(LINT_VERSIONS) \
	    -Icore -Iserver -Iclient -Iinclude -I$(LINT_B)/gen/server -I$(LINT_B)/gen/client \
	    core server client
	@echo "lint: $$($(CLANG_TIDY) --version | grep -m1 -o 'version [0-9.]*') over $(words $(LINT_SRC)) files (checks in .clang-tidy)"
	@printf '%s\n' $(LINT_SRC) | xargs -P 2 -I{} sh -c 'case {} in \
	    client/*) inc="$(LINT_INC_C)" ;; *) inc="$(LINT_INC_S)" ;; esac; \
	    $(CLANG_TIDY) --quiet {} -- $(LINT_DEFS) $$inc 2>/dev/null; exit 0' \
	    >$(LINT_B)/clang-tidy.out
	@if grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error)' -A3 $(LINT_B)/clang-tidy.out; then \
	    echo "lint: clang-tidy found the above (all of it: $(LINT_B)/clang-tidy.out)"; exit 1; fi
	@echo "lint: clean"
