# install.mk: the version string and `make install` / `make uninstall`.
#
# The version lives in VERSION only; both programs get it as -DSS_VERSION
# (their main.o alone, and server/metrics.o, which reports it, so a new
# version rebuilds three objects). Paths follow
# the GNU conventions: PREFIX (default /usr/local) and DESTDIR for staged
# installs (packages, tests). mkcerts.sh is installed as mpc-mkcerts, a name
# on PATH that says which project it belongs to. The systemd unit and the
# sysusers.d file go under $(PREFIX)/lib/systemd and $(PREFIX)/lib/sysusers.d
# (systemd reads /usr/local/lib/systemd/system as well as /usr/lib's); the
# bash completion of mpc-client under share/bash-completion/completions,
# where bash-completion loads it on demand.

SS_VERSION := $(shell cat VERSION)
$(B)/server/main.o $(B)/server/metrics.o $(B)/client/main.o: VERSION
$(B)/server/main.o $(B)/server/metrics.o $(B)/client/main.o: CFLAGS += -DSS_VERSION='"$(SS_VERSION)"'

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(DESTDIR)$(PREFIX)/bin
MAN1DIR    := $(DESTDIR)$(PREFIX)/share/man/man1
MAN8DIR    := $(DESTDIR)$(PREFIX)/share/man/man8
DOCDIR     := $(DESTDIR)$(PREFIX)/share/doc/secure-sum
UNITDIR    := $(DESTDIR)$(PREFIX)/lib/systemd/system
SYSUSERDIR := $(DESTDIR)$(PREFIX)/lib/sysusers.d
COMPDIR    := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INCDIR     := $(DESTDIR)$(PREFIX)/include
LIBDIR     := $(DESTDIR)$(PREFIX)/lib
PCDIR      := $(DESTDIR)$(PREFIX)/lib/pkgconfig
INSTALL    ?= install

INSTALL_DOCS := README.md docs/OPERATIONS.md docs/PROTOCOL.md docs/SECURITY.md \
                docs/ARCHITECTURE.md docs/CLI.md

.PHONY: install uninstall
install: all
	$(INSTALL) -d $(BINDIR) $(MAN1DIR) $(MAN8DIR) $(DOCDIR) $(UNITDIR) $(SYSUSERDIR) \
	    $(COMPDIR)
	$(INSTALL) -m 0755 bin/mpc-server bin/mpc-client $(BINDIR)/
	$(INSTALL) -m 0755 scripts/mkcerts.sh $(BINDIR)/mpc-mkcerts
	$(INSTALL) -m 0755 scripts/backup-state.sh $(BINDIR)/mpc-backup-state
	$(INSTALL) -m 0644 man/mpc-client.1 man/mpc-mkcerts.1 $(MAN1DIR)/
	$(INSTALL) -m 0644 man/mpc-server.8 $(MAN8DIR)/
	$(INSTALL) -m 0644 $(INSTALL_DOCS) $(DOCDIR)/
	sed 's|@BINDIR@|$(PREFIX)/bin|g' dist/mpc-server.service >$(UNITDIR)/mpc-server.service
	chmod 0644 $(UNITDIR)/mpc-server.service
	$(INSTALL) -m 0644 dist/mpc-server.sysusers $(SYSUSERDIR)/secure-sum.conf
	$(INSTALL) -m 0644 completion/mpc-client.bash $(COMPDIR)/mpc-client
	$(INSTALL) -d $(INCDIR) $(LIBDIR) $(PCDIR)
	$(INSTALL) -m 0644 include/securesum.h $(INCDIR)/
	$(INSTALL) -m 0644 $(LIB_A) $(LIBDIR)/
	$(INSTALL) -m 0755 $(LIB_SO) $(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(LIBDIR)/libsecuresum.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(SS_VERSION)|g' \
	    dist/securesum.pc.in >$(PCDIR)/securesum.pc
	chmod 0644 $(PCDIR)/securesum.pc

uninstall:
	rm -f $(BINDIR)/mpc-server $(BINDIR)/mpc-client $(BINDIR)/mpc-mkcerts $(BINDIR)/mpc-backup-state \
	    $(MAN1DIR)/mpc-client.1 $(MAN1DIR)/mpc-mkcerts.1 $(MAN8DIR)/mpc-server.8 \
	    $(UNITDIR)/mpc-server.service $(SYSUSERDIR)/secure-sum.conf \
	    $(COMPDIR)/mpc-client $(addprefix $(DOCDIR)/,$(notdir $(INSTALL_DOCS))) \
	    $(INCDIR)/securesum.h $(LIBDIR)/libsecuresum.a $(LIBDIR)/$(notdir $(LIB_SO)) \
	    $(LIBDIR)/$(LIB_SONAME) $(LIBDIR)/libsecuresum.so $(PCDIR)/securesum.pc
	-rmdir $(DOCDIR)
