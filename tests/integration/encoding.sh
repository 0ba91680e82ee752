#!/usr/bin/env bash
# encoding.sh: a real server reads request frames as proto3 does
# (docs/PROTOCOL.md section 5.1), whatever equivalent encoding a client
# writes: a body given twice is merged, not replaced (the frame of issue 10,
# GetStatus("conf") then an empty GetStatus body); unknown fields, groups
# included, are skipped; a string that is not UTF-8 makes the frame no
# Request; the version-2 messages merge alike. Raw frames go through
# tests/tools/rawclient.py over TLS.
source "$(dirname "$0")/lib.sh"

PY=$T/py
RAWCLIENT=$ROOT/tests/tools/rawclient.py

mkdir -p "$PY"
protoc --proto_path="$ROOT/proto" --python_out="$PY" "$ROOT/proto/securesum.proto" ||
	{ echo "Bail out! protoc --python_out failed"; exit 1; }
make_certs alice bob || { echo "Bail out! mkcerts.sh failed"; exit 1; }
start_server || { echo "Bail out! server did not start"; exit 1; }

# raw ARGS...: rawclient.py as alice.
raw() {
	/usr/bin/python3 "$RAWCLIENT" --server "$ADDR" --py "$PY" --ca "$T/certs/ca.crt" \
	    --cert "$T/certs/alice.crt" --key "$T/certs/alice.key" "$@"
}

# joined JSON...: "frame:HEX" of these Requests' encodings one after another,
# which proto3 reads as one Request, each part merged into those before.
joined() {
	/usr/bin/python3 -c 'import json, sys
sys.path.insert(0, sys.argv[1])
import securesum_pb2 as pb
from google.protobuf import json_format
print("frame:" + b"".join(json_format.ParseDict(json.loads(a), pb.Request())
    .SerializeToString() for a in sys.argv[2:]).hex())' "$PY" "$@"
}

# answer EXPR ARGS...: EXPR on the first response "r" of raw ARGS (the
# response itself when EXPR does not apply to it).
answer() {
	local expr=$1; shift
	raw "$@" 2>"$T/raw.err" | /usr/bin/python3 -c 'import json, sys
line = sys.stdin.readline().strip()
try:
    print(eval(sys.argv[1], {"r": json.loads(line)}))
except (ValueError, LookupError, AttributeError):
    print(line or "no response")' "$expr"
}

check_eq "session conf is made" "OK" "$(answer 'r["code"]' \
    '{"id":1,"method":"CREATE_SESSION","create_session":{"params":{"session_id":"alice/conf","parties":["alice","bob"],"threshold":1,"length":1}}}')"

check_eq "the frame of issue 10 is GetStatus(\"conf\"), alice's conf" "1 OK alice/conf" \
    "$(answer '"%s %s %s" % (r["id"], r["code"], r["body"]["get_status"]["params"]["session_id"])' \
    --expect 1 frame:080110067a060a04636f6e667a00)"

frame=$(joined \
    '{"id":2,"method":"CREATE_SESSION","create_session":{"params":{"session_id":"alice/conf","parties":["alice"]}}}' \
    '{"create_session":{"params":{"parties":["bob"],"threshold":1,"length":1}}}')
check_eq "CreateSession in two parts merges into the session made" "2 OK {}" \
    "$(answer '"%s %s %s" % (r["id"], r["code"], r["body"]["create_session"])' --expect 1 "$frame")"

# GetShare(conf, alice), replaced by GetKeys, replaced by GetShare(conf):
# alice's name went with the first body, so the party is missing.
frame=$(joined '{"id":3,"method":"GET_SHARE","get_share":{"session_id":"conf","party":"alice"}}' \
    '{"get_keys":{}}' '{"get_share":{"session_id":"conf"}}')
check_eq "a body replaced by another kind is not merged back" "3 INVALID_ARGUMENT party" \
    "$(answer '"%s %s %s" % (r["id"], r["code"], r["message"].split()[0])' --expect 1 "$frame")"

# id 4, GetStatus("conf"), then field 20 as a group holding a varint, and
# field 3 (deadline_unix_ms) as a string: both unknown to proto3.
check_eq "unknown fields and groups are skipped" "4 OK" \
    "$(answer '"%s %s" % (r["id"], r["code"])' --expect 1 \
    frame:080410067a060a04636f6e66a3010801a4011a0178)"

check_eq "a string that is not UTF-8 makes the frame no Request" "0 INVALID_ARGUMENT" \
    "$(answer '"%s %s" % (r["id"], r["code"])' --expect 1 --expect-close \
    frame:080510067a030a01ff)"

# Version 2: CreateSession's parameters in two parts, the nonce given in
# both (the later wins, as for any scalar), and min_cohort in the second.
frame=$(joined \
    '{"id":7,"method":"CREATE_SESSION","create_session":{"params":{"session_id":"alice/conf2","parties":["alice","bob"],"nonce":"AAAAAAAAAAAAAAAAAAAAAA=="}}}' \
    '{"create_session":{"params":{"threshold":1,"length":1,"min_cohort":2,"nonce":"AQEBAQEBAQEBAQEBAQEBAQ=="}}}')
check_eq "a version-2 CreateSession in two parts: the later nonce" "7 OK 32" \
    "$(answer '"%s %s %d" % (r["id"], r["code"], len(r["body"]["create_session"]["digest"].rstrip("=")) * 3 // 4)' --expect 1 "$frame")"
check_eq "the session holds the later nonce and min_cohort" "AQEBAQEBAQEBAQEBAQEBAQ== 2" \
    "$(answer '"%s %s" % (r["body"]["get_status"]["params"]["nonce"], r["body"]["get_status"]["params"]["min_cohort"])' \
    '{"id":8,"method":"GET_STATUS","get_status":{"session_id":"conf2"}}')"
# GetCohort with an empty body, then one naming the session: merged.
frame=$(joined '{"id":9,"method":"GET_COHORT","get_cohort":{}}' \
    '{"get_cohort":{"session_id":"conf2"}}')
check_eq "GetCohort in two parts names the session (still sharing)" \
    "9 FAILED_PRECONDITION session alice/conf2 is still in its sharing phase (0 of 2 shared)" \
    "$(answer '"%s %s %s" % (r["id"], r["code"], r["message"])' --expect 1 "$frame")"

if kill -0 "$SERVER_PID" 2>/dev/null &&
    [ "$(answer 'r["code"]' '{"id":6,"method":"GET_KEYS","get_keys":{}}')" = OK ]; then
	ok "the server is still serving"
else
	not_ok "the server is still serving" "$(cat "$T/raw.err")"
fi
finish
