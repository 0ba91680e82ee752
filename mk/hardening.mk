# mk/hardening.mk: security checks that are not part of `make test`.
#
#   make tls-audit    testssl.sh (Debian's package, installed on demand)
#                     against a running mpc-server: only TLS 1.3 offered,
#                     no finding above LOW; prints a summary. The full
#                     report goes to TLS_AUDIT_DIR (build/tls-audit).
#
# TLS_AUDIT_WAIVE lists testssl.sh finding ids accepted above LOW, each with
# its reason in tests/tools/tls-audit.sh (default: cert_revocation, since
# the clients pin the project CA and get crl.pem out of band).
#
# The connection-abuse, certificate and validation tests
# (tests/integration/abuse.sh, certs.sh, validation.sh) run in `make test`.

TLS_AUDIT_DIR   ?= $(B)/tls-audit
TLS_AUDIT_WAIVE ?= cert_revocation

.PHONY: tls-audit

tls-audit: bin/mpc-server
	@TLS_AUDIT_WAIVE="$(TLS_AUDIT_WAIVE)" SERVER_BIN=$(CURDIR)/bin/mpc-server \
	    tests/tools/tls-audit.sh $(TLS_AUDIT_DIR)
