#!/usr/bin/env bash
# pinning.sh: a party acts only on the session it agreed to (protocol
# version 2, issue 11 points 1 and 2). The session is pinned by its invite
# code or by its parameters given as flags; the client recomputes D from the
# parameters the server reports and refuses, showing them, when they differ:
#   - squatting: mallory creates "payroll" first, with parties bob,mallory
#     and threshold 1: it is mallory/payroll (docs/PROTOCOL.md 2.1), and
#     alice's payroll is alice/payroll all the same; bob, in both, must name
#     one, and pinning the session alice meant refuses to share into
#     mallory's, nothing sent;
#   - a mismatched invite (another session's), a mistyped one, and an
#     invite together with flags;
#   - a version-1 session (no nonce) cannot be pinned;
#   - and the parameters as flags, when they are right, work like the code.
source "$(dirname "$0")/lib.sh"

python_proto || bail "protoc --python_out failed"
make_certs alice bob carol mallory || bail "mkcerts.sh failed"
start_server || bail "server did not start"

# shared SESSION [ASKER]: who the server says has shared, as ASKER (alice)
# asks.
shared() {
	client "${2:-alice}" --json status "$1" 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin)
print(",".join(d["shared"]) if "shared" in d else "(no status: %s)" % d)'
}

# ---- squatting -------------------------------------------------------------
NONCE=00112233445566778899aabbccddeeff
check "mallory creates payroll first (parties bob,mallory, threshold 1)" \
    client mallory create payroll --parties bob,mallory --threshold 1
check_eq "alice's create of payroll is not squatted: it is alice/payroll" \
    "created session alice/payroll" \
    "$(client alice create payroll --parties alice,bob,carol --threshold 1 --nonce "$NONCE" | sed -n 's/ (.*//p' | head -n 1)"
check_fails "bob, in both, is asked to name one" \
    "session name payroll is ambiguous: you are a party of 2 sessions of that name \\(alice/payroll, mallory/payroll\\)" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    run payroll --parties alice,bob,carol --threshold 1 --nonce "$NONCE" 61000
# bob pins what alice meant, by its parameters, on mallory's id.
check_fails "bob refuses mallory's payroll, showing what the server holds" \
    "refusing session mallory/payroll: the server holds other parameters than the ones given: parties bob,mallory, threshold 1" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    run mallory/payroll --parties alice,bob,carol --threshold 1 --nonce "$NONCE" 61000
check_eq "... and bob's input never reached the server" "" "$(shared mallory/payroll bob)"
check_fails "bob's share with the same pin is refused too" "the server holds other parameters" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    share mallory/payroll --parties alice,bob,carol --threshold 1 --nonce "$NONCE" 61000
check_fails "a command that acts on a session without a pin is a usage error" \
    "which session of id payroll\\? give --invite CODE" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    share payroll 61000
check_eq "... and nothing was shared" "" "$(shared mallory/payroll bob)"

# ---- invites -------------------------------------------------------------
check "create s1" client alice create s1 --parties alice,bob,carol --threshold 1
check "create s2, the same parties" client alice create s2 --parties alice,bob,carol --threshold 1
check_fails "s1 pinned with s2's invite is refused, the server's parameters shown" \
    "refusing session alice/s1: the server holds other parameters than the invite's: parties alice,bob,carol, threshold 1, length 1, decimals 0, min_cohort 3, deadline none, invite $(invite_of s1)" \
    client carol share s1 --invite "$(invite_of s2)" 5
bad=$(invite_of s1 | sed 's/-\(.\)/-\1/; s/\(ss2-.......\)\(.\)/\1a/')
[ "$bad" = "$(invite_of s1)" ] && bad=$(invite_of s1 | sed 's/\(ss2-.......\)\(.\)/\1b/')
check_fails "a mistyped invite is refused before any connection" \
    "invite code's checksum does not match" \
    "$REAL_CLIENT_BIN" --server 127.0.0.1:1 --certs "$T/certs" --party carol --timeout 2 \
    share s1 --invite "$bad" 5
check_fails "an invite and flags together are a usage error" "not both" \
    "$REAL_CLIENT_BIN" --server 127.0.0.1:1 --certs "$T/certs" --party carol --timeout 2 \
    share s1 --invite "$(invite_of s1)" --threshold 1 5
check_eq "... and nobody shared in s1" "" "$(shared s1)"

# ---- the parameters as flags ---------------------------------------------
check "carol pins s1 by its parameters, and shares" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party carol --timeout 20 \
    share s1 --parties alice,bob,carol --threshold 1 --nonce "$(nonce_of s1)" 5
if grep -q "^mpc-client: session alice/s1: parties alice,bob,carol, threshold 1, length 1, decimals 0, min_cohort 3, deadline none, invite $(invite_of s1)$" "$T/last.err"; then
	ok "... saying the parameters it acts on"
else
	not_ok "... saying the parameters it acts on" "$(cat "$T/last.err")"
fi
check_eq "... and no warning: s1's min_cohort 3 - threshold 1 is 2" "" \
    "$(grep 'warning' "$T/last.err")"
check_fails "other flags (threshold 2) are another session" "the server holds other parameters" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    share s1 --parties alice,bob,carol --threshold 2 --nonce "$(nonce_of s1)" 5
check_eq "carol alone has shared in s1" "carol" "$(shared s1)"

# ---- min_cohort - threshold = 1 -------------------------------------------
# A cohort of two with one colluder hands that colluder the other's input.
# create warns its creator; a party joining by the invite code, which it
# cannot read the parameters in, is warned when it acts on the session.
check "alice creates pair (alice, mallory; threshold 1: min_cohort 2)" \
    client alice create pair --parties alice,mallory --threshold 1
check_eq "... and is warned that one colluder learns the other input" 1 \
    "$(grep -c "warning: min_cohort - threshold = 1: 1 colluding parties in a cohort of 2 learn the one remaining honest input" "$T/last.err")"
check "mallory shares in pair, by its invite" client mallory share pair --invite "$(invite_of pair)" 5
check_eq "... warned the same way" 1 \
    "$(grep -c "^mpc-client: warning: session alice/pair: min_cohort - threshold = 1: 1 colluding parties in a cohort of 2 learn the one remaining honest input from the sum itself$" "$T/last.err")"

# ---- a version-1 session -------------------------------------------------
raw=$(rawclient "$ADDR" "$T/certs/alice.crt" "$T/certs/alice.key" \
    '{"id":1,"method":"CREATE_SESSION","create_session":{"params":{"session_id":"alice/old","parties":["alice","bob"],"threshold":1,"length":1}}}' 2>&1)
check_eq "a version-1 session (no nonce) can still be created" "OK" \
    "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["code"])' "$raw" 2>&1)"
check_fails "the client refuses to act on it" \
    "session alice/old was created without a nonce: a version-1 session cannot be pinned" \
    "$REAL_CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party bob --timeout 20 \
    share old --parties alice,bob --threshold 1 --nonce "$NONCE" 3

finish
