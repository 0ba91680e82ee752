# secure-sum build. `make` builds bin/mpc-server and bin/mpc-client;
# `make test` and `make demo` first install any missing Debian packages.

CC       ?= cc
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   += $(OPT) $(SAN) -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
            -Wvla -fstack-protector-strong -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -fPIE
LDFLAGS  += $(SAN) -pie -Wl,-z,relro,-z,now

B        := build
GEN_S    := $(B)/gen/server
GEN_C    := $(B)/gen/client
PROTO    := proto/securesum.proto

CORE_SRC   := $(wildcard core/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
CLIENT_SRC := $(filter-out client/main.c,$(wildcard client/*.c))

CORE_OBJ   := $(CORE_SRC:%.c=$(B)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(B)/%.o) $(B)/gen/server/securesum.pb-c.o
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(B)/%.o) $(B)/gen/client/securesum.pb.o

SSL_LIBS    := -lssl -lcrypto
SERVER_LIBS := -levent_openssl -levent -lprotobuf-c -lxxhash $(SSL_LIBS) -pthread
CLIENT_LIBS := -lprotobuf-nanopb $(SSL_LIBS)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FIXTURE_OBJ := $(patsubst tests/fixture/%.c,$(B)/fixture/%.o,\
               $(wildcard tests/fixture/*.c))
TEST_INC  := -Icore -Iserver -Iclient -Iinclude -Itests/fixture -I$(GEN_S) -I$(GEN_C)

.PHONY: all deps test unit integration demo clean
.SECONDARY: $(UNIT_BIN:%=%.o)

all: bin/mpc-server bin/mpc-client

deps:
	@scripts/install-deps.sh

# ---- generated protobuf code (never committed) -------------------------
$(GEN_S)/securesum.pb-c.c $(GEN_S)/securesum.pb-c.h: $(PROTO)
	@mkdir -p $(GEN_S)
	protoc-c --proto_path=proto --c_out=$(GEN_S) $(PROTO)

$(GEN_C)/securesum.pb.c $(GEN_C)/securesum.pb.h: $(PROTO) proto/securesum.options
	@mkdir -p $(GEN_C)
	protoc --proto_path=proto --plugin=protoc-gen-nanopb=/usr/bin/protoc-gen-nanopb \
	    --nanopb_opt=-Iproto --nanopb_out=$(GEN_C) $(PROTO)

# ---- objects -----------------------------------------------------------
$(B)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -MMD -MP -c $< -o $@

$(B)/server/%.o: server/%.c $(GEN_S)/securesum.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -Iserver -I$(GEN_S) -MMD -MP -c $< -o $@

$(B)/client/%.o: client/%.c $(GEN_C)/securesum.pb.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -Iclient -I$(GEN_C) -MMD -MP -c $< -o $@

# Generated code is not ours to hold to -Werror's every warning.
$(B)/gen/server/%.o: $(GEN_S)/%.c
	$(CC) $(OPT) $(SAN) -std=c11 -fPIE -I$(GEN_S) -c $< -o $@
$(B)/gen/client/%.o: $(GEN_C)/%.c
	$(CC) $(OPT) $(SAN) -std=c11 -fPIE -I$(GEN_C) -c $< -o $@

$(B)/libcore.a: $(CORE_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/libserver.a: $(SERVER_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/libclient.a: $(CLIENT_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# ---- programs ----------------------------------------------------------
bin/mpc-server: $(B)/server/main.o $(B)/libserver.a $(B)/libcore.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS)

bin/mpc-client: $(B)/client/main.o $(B)/libclient.a $(B)/libcore.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

# ---- tests -------------------------------------------------------------
# Each tests/unit/test_X.c is one cmocka program; it may use any module, and
# the shared fixtures of tests/fixture/ (temporary folders, files,
# certificates, a fake TLS server), built once into libfixture.a.
$(B)/tests/%.o: tests/unit/%.c $(GEN_S)/securesum.pb-c.h $(GEN_C)/securesum.pb.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -MMD -MP -c $< -o $@

$(B)/fixture/%.o: tests/fixture/%.c $(GEN_S)/securesum.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_INC) -MMD -MP -c $< -o $@

$(B)/libfixture.a: $(FIXTURE_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/tests/%: $(B)/tests/%.o $(B)/libfixture.a $(B)/libserver.a \
    $(B)/libclient.a $(B)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS) -lprotobuf-nanopb -lcmocka

# test_core_bigmem makes the system refuse an unmap or a move on purpose.
$(B)/tests/test_core_bigmem: LDFLAGS += -Wl,--wrap=munmap -Wl,--wrap=mremap

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@tests/run.sh

unit: all $(UNIT_BIN)
	@tests/run.sh --unit

integration: all
	@tests/run.sh --integration

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

clean:
	rm -rf $(B) bin

-include mk/*.mk
-include $(shell find $(B) -name '*.d' 2>/dev/null)
