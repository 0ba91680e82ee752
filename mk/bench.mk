# mk/bench.mk: the benchmark (issue 5). See docs/BENCHMARKS.md.
#
#   make bench            build everything below, install the gRPC reference's
#                         Debian packages if missing, run bench/bench.py and
#                         print the table (about 5 minutes on 2 cores)
#   make bench-quick      the same with shorter runs (a smoke test, ~2 min)
#   make bench-build      only build build/bench/*
#
# BENCH_ARGS passes options to bench/bench.py (e.g. BENCH_ARGS=--only=e2e).
# Nothing here is reached from `all` or `test`: the gRPC reference and its
# packages are built and installed only by these targets.

BENCH_B     := $(B)/bench
BENCH_ARGS  ?=
BENCH_GRPC  := $(BENCH_B)/grpc
BENCH_CXX   ?= g++

.PHONY: bench bench-quick bench-build bench-deps

bench: bench-build
	@python3 bench/bench.py --build $(BENCH_B) $(BENCH_ARGS)

bench-quick: bench-build
	@python3 bench/bench.py --build $(BENCH_B) --quick $(BENCH_ARGS)

bench-build: all bench-deps $(BENCH_B)/loadgen $(BENCH_B)/mkparties \
    $(BENCH_B)/cryptocost \
    $(BENCH_GRPC)/ref_server $(BENCH_GRPC)/ref_client

# The gRPC reference needs libgrpc++-dev and protobuf-compiler-grpc, and
# perf/valgrind/time for the profiles; installed here, never by `make test`.
bench-deps:
	@bench/install-deps.sh

$(BENCH_B)/loadgen: bench/loadgen.c $(B)/libcore.a $(B)/gen/server/securesum.pb-c.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -I$(GEN_S) -o $@ bench/loadgen.c \
	    $(B)/gen/server/securesum.pb-c.o $(B)/libcore.a $(LDFLAGS) \
	    -lprotobuf-c $(SSL_LIBS)

$(BENCH_B)/cryptocost: bench/cryptocost.c $(B)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -o $@ bench/cryptocost.c $(B)/libcore.a \
	    $(LDFLAGS) $(SSL_LIBS)

$(BENCH_B)/mkparties: bench/mkparties.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -lcrypto

# ---- the gRPC C++ reference (REFERENCE ONLY: not part of secure-sum) ------
$(BENCH_GRPC)/ref.pb.cc $(BENCH_GRPC)/ref.grpc.pb.cc &: bench/grpc_ref/ref.proto | bench-deps
	@mkdir -p $(BENCH_GRPC)
	protoc --proto_path=bench/grpc_ref --cpp_out=$(BENCH_GRPC) \
	    --grpc_out=$(BENCH_GRPC) --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) \
	    bench/grpc_ref/ref.proto

BENCH_GRPC_FLAGS = -O2 -std=c++17 -I$(BENCH_GRPC) $$(pkg-config --cflags grpc++ protobuf)
BENCH_GRPC_LIBS  = $$(pkg-config --libs grpc++ protobuf) -lpthread

$(BENCH_GRPC)/%.o: bench/grpc_ref/%.cc $(BENCH_GRPC)/ref.grpc.pb.cc
	$(BENCH_CXX) $(BENCH_GRPC_FLAGS) -c $< -o $@
$(BENCH_GRPC)/ref.pb.o: $(BENCH_GRPC)/ref.pb.cc
	$(BENCH_CXX) $(BENCH_GRPC_FLAGS) -c $< -o $@
$(BENCH_GRPC)/ref.grpc.pb.o: $(BENCH_GRPC)/ref.grpc.pb.cc
	$(BENCH_CXX) $(BENCH_GRPC_FLAGS) -c $< -o $@

$(BENCH_GRPC)/ref_server: $(BENCH_GRPC)/ref_server.o $(BENCH_GRPC)/ref.pb.o $(BENCH_GRPC)/ref.grpc.pb.o
	$(BENCH_CXX) -o $@ $^ $(BENCH_GRPC_LIBS)
$(BENCH_GRPC)/ref_client: $(BENCH_GRPC)/ref_client.o $(BENCH_GRPC)/ref.pb.o $(BENCH_GRPC)/ref.grpc.pb.o
	$(BENCH_CXX) -o $@ $^ $(BENCH_GRPC_LIBS)
