# library.mk: libsecuresum, a party of secure-sum for other programs
# (include/securesum.h, docs in README's "Embedding a party").
#
# The objects of client/ and core/ are compiled position-independent and
# with hidden visibility (the flags below, for every build of them: one
# set of objects serves mpc-client, the tests and both libraries). Only
# the functions marked SECURESUM_API in securesum.h are exported:
#  - libsecuresum.so.VERSION, soname libsecuresum.so.MAJOR, links nanopb
#    in and exports what mk/securesum.map names (securesum_*) alone;
#  - libsecuresum.a holds one relocatable object in which every hidden
#    symbol was made local (objcopy --localize-hidden), so that a program
#    linking it statically sees no name of ours but securesum_*.
# A program links the .a with -lprotobuf-nanopb -lssl -lcrypto (the
# pkg-config file says so); the .so needs libssl and libcrypto only.
# `make install` puts the header, both libraries, the .so links and
# securesum.pc under PREFIX (mk/install.mk).

LIB_DIR     := $(B)/lib
LIB_MAJOR   := $(firstword $(subst ., ,$(SS_VERSION)))
LIB_SONAME  := libsecuresum.so.$(LIB_MAJOR)
LIB_SO      := $(LIB_DIR)/libsecuresum.so.$(SS_VERSION)
LIB_A       := $(LIB_DIR)/libsecuresum.a
LIB_MAP     := mk/securesum.map
OBJCOPY     ?= objcopy
# cli*.c and cmdline.c are mpc-client's side of the library, not part of it.
LIB_CLI_OBJ := $(B)/client/cli.o $(B)/client/cli_%.o $(B)/client/cmdline.o
LIB_OBJ     := $(filter-out $(LIB_CLI_OBJ),$(CLIENT_OBJ)) $(CORE_OBJ)

# Position-independent, hidden unless marked: the last -f wins over -fPIE.
$(CORE_OBJ) $(CLIENT_OBJ) $(B)/client/main.o: CFLAGS += -fPIC -fvisibility=hidden
$(B)/client/%.o: CFLAGS += -Iinclude
$(B)/client/securesum_settings.o: VERSION
$(B)/client/securesum_settings.o: CFLAGS += -DSS_VERSION='"$(SS_VERSION)"'
$(B)/gen/client/%.o: OPT += -fPIC -fvisibility=hidden

.PHONY: lib
all: lib
lib: $(LIB_A) $(LIB_SO) $(LIB_DIR)/libsecuresum.so

$(LIB_SO): $(LIB_OBJ) $(LIB_MAP)
	@mkdir -p $(@D)
	$(CC) $(SAN) -shared -Wl,-soname,$(LIB_SONAME) \
	    -Wl,--version-script=$(LIB_MAP) -Wl,--no-undefined \
	    -Wl,-z,relro,-z,now -o $@ $(LIB_OBJ) -lprotobuf-nanopb $(SSL_LIBS)

# The links a build-tree program finds it by: -L$(LIB_DIR) -lsecuresum.
$(LIB_DIR)/libsecuresum.so: $(LIB_SO)
	ln -sf $(notdir $(LIB_SO)) $(LIB_DIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(LD) -r -o $(LIB_DIR)/securesum-all.o $(LIB_OBJ)
	$(OBJCOPY) --localize-hidden $(LIB_DIR)/securesum-all.o
	rm -f $@ && $(AR) rcs $@ $(LIB_DIR)/securesum-all.o

# Nothing linked into libsecuresum may print (include/securesum.h): its
# symbols are checked by tests/tools/lib-quiet.sh, here and in `make lint`
# (and in tests/integration/library.sh).
.PHONY: check-lib-quiet
lint: check-lib-quiet
check-lib-quiet: $(LIB_SO) $(LIB_A)
	@tests/tools/lib-quiet.sh $(LIB_SO) $(LIB_OBJ)
	@tests/tools/lib-quiet.sh $(LIB_A) $(LIB_OBJ)
