# mk/fuzz.mk: libFuzzer targets, built with Debian's clang-14 under ASan and
# UBSan in their own folder (FUZZ_B, default build-fuzz/). See fuzz/README.md.
#
#   make fuzz              every target for FUZZ_SECONDS (60) each, then a
#                          table of executions and findings; fails on a finding
#   make fuzz-smoke        every target for FUZZ_SMOKE_SECONDS (10): for CI
#   make fuzz-run-NAME     one target (NAME as in FUZZ_TARGETS)
#   make fuzz-build        only build build-fuzz/fuzz/fuzz_NAME
#   make fuzz-seeds        rewrite fuzz/corpus/ from real messages
#
# FUZZ_JOBS=2 runs two targets at a time; FUZZ_FLAGS adds libFuzzer flags.
# Inputs found go to build-fuzz/corpus/NAME (the seeds in fuzz/corpus/NAME
# are only read), crashes to build-fuzz/findings/NAME/.

FUZZ_CC            ?= clang-14
FUZZ_B             ?= build-fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_JOBS          ?= 1
FUZZ_FLAGS         ?=
FUZZ_TARGETS       := rpc_frame rpc_seq rpc_replay journal client_wire \
                      snapshot_raw snapshot hpke_open sealed_open request_view \
                      statement spki invite pstate
# -fno-sanitize-recover makes every UBSan report a crash libFuzzer keeps.
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all \
                      -fsanitize=fuzzer-no-link
FUZZ_OPT           := -O1 -g -fno-omit-frame-pointer

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds _fuzz-bins \
        $(FUZZ_TARGETS:%=fuzz-run-%)

# Builds the libraries, the targets and the seed generator through this same
# Makefile with B, CC and SAN set for the fuzz build.
fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found" \
	    "(Debian: apt-get install clang-14)" >&2; exit 1; }
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) \
	    OPT="$(FUZZ_OPT)" SAN="$(FUZZ_SAN)" _fuzz-bins

fuzz: fuzz-build
	@fuzz/run.sh --build $(FUZZ_B) --seconds $(FUZZ_SECONDS) \
	    --jobs $(FUZZ_JOBS) -- $(FUZZ_FLAGS) -- $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@fuzz/run.sh --build $(FUZZ_B) --seconds $(FUZZ_SMOKE_SECONDS) \
	    --jobs $(FUZZ_JOBS) -- $(FUZZ_FLAGS) -- $(FUZZ_TARGETS)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: fuzz-build
	@fuzz/run.sh --build $(FUZZ_B) --seconds $(FUZZ_SECONDS) \
	    --jobs 1 -- $(FUZZ_FLAGS) -- $*

fuzz-seeds: fuzz-build
	@fuzz/make-seeds.sh $(FUZZ_B)/fuzz/make-seeds

# ---- inside the sub-make: B is the fuzz build folder --------------------
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
FUZZ_INC  := -Icore -Iserver -Iclient -I$(GEN_S) -I$(GEN_C)

_fuzz-bins: $(FUZZ_BINS) $(B)/fuzz/make-seeds

$(B)/fuzz/%.o: fuzz/%.c $(GEN_S)/securesum.pb-c.h $(GEN_C)/securesum.pb.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DFUZZ_SOURCE_ROOT='"$(CURDIR)"' $(FUZZ_INC) -MMD -MP -c $< -o $@

$(FUZZ_BINS): $(B)/fuzz/fuzz_%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/harness.o \
    $(B)/libserver.a $(B)/libclient.a $(B)/libcore.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(SERVER_LIBS) -lprotobuf-nanopb

# The seed generator: an ordinary program (no libFuzzer main) on the same
# instrumented libraries.
$(B)/fuzz/make-seeds: $(B)/fuzz/make-seeds.o $(B)/fuzz/harness.o \
    $(B)/libserver.a $(B)/libclient.a $(B)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS) -lprotobuf-nanopb
