# mk/hardening.mk: security checks that are not part of `make test`.
#
#   make tls-audit    testssl.sh (Debian's package, installed on demand)
#                     against a running mpc-server: only TLS 1.3 offered,
#                     no finding above LOW; prints a summary. The full
#                     report goes to TLS_AUDIT_DIR (build/tls-audit).
#
# The audit's certificates name a CRL distribution point
# (mkcerts.sh --crl-url http://127.0.0.1:PORT/crl.pem, PORT a free loopback
# port) and the script serves their crl.pem (mkcerts.sh --gencrl) there with
# python3 -m http.server for the length of the scan, so testssl.sh's
# cert_revocation check passes without a waiver.
#
# TLS_AUDIT_WAIVE lists testssl.sh finding ids accepted above LOW, each with
# its reason recorded in tests/tools/tls-audit.sh; none is, so it is empty.
#
# The connection-abuse, certificate and validation tests
# (tests/integration/abuse.sh, certs.sh, validation.sh) run in `make test`.

TLS_AUDIT_DIR   ?= $(B)/tls-audit
TLS_AUDIT_WAIVE ?=

.PHONY: tls-audit

tls-audit: bin/mpc-server
	@TLS_AUDIT_WAIVE="$(TLS_AUDIT_WAIVE)" SERVER_BIN=$(CURDIR)/bin/mpc-server \
	    tests/tools/tls-audit.sh $(TLS_AUDIT_DIR)
