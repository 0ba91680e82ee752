# harness.sh: the adversary harness's shell side, sourced after
# tests/integration/lib.sh by the adversary_*.sh integration scripts.
#
# start_mitm puts tests/adversary/mitm.py (the lying server) between the
# real mpc-clients and the real server of $ADDR; rule SESSION '[...]' says
# what it does in that session; via/bgvia run mpc-client through it;
# fired counts what its hooks did; the outcome checks say what every honest
# party ended with. Every process started here is reaped by lib.sh.
ADV=$ROOT/tests/adversary
RULES=$T/rules.json
MITM_LOG=$T/mitm.log
: >"$MITM_LOG"
echo '{}' >"$RULES"
# ADV_KEEP=DIR keeps a copy of the test's folder (outputs, logs) there.
[ -n "${ADV_KEEP:-}" ] && CLEANUP_HOOKS+=('rm -rf "$ADV_KEEP"; cp -a "$T" "$ADV_KEEP"')

# need_v2: bails out, marked TODO, while mpc-client does not yet pin
# sessions (protocol version 2 is being built on other branches).
need_v2() {
	"$CLIENT_BIN" share --help 2>&1 | grep -q -- '--invite' && return 0
	echo "not ok - $(basename "$0" .sh): the version-2 attacks # TODO v2: mpc-client has no --invite yet"
	exit 1
}

# start_mitm [ARGS...]: the man in the middle in front of the server in
# ADDR, with the test's certs; sets MITM_ADDR and MITM_PID.
start_mitm() {
	spawn_listening "$T/mitm.out" "$T/mitm.err" /usr/bin/python3 "$ADV/mitm.py" \
	    --upstream "$ADDR" --certs "$T/certs" --py "$PY" --rules "$RULES" \
	    --log "$MITM_LOG" "$@" || return 1
	MITM_PID=$SPAWNED MITM_ADDR=$LISTEN_ADDR
}

stop_mitm() {
	kill -TERM "$MITM_PID" 2>/dev/null
	wait "$MITM_PID" 2>/dev/null
	return 0
}

# rule SESSION JSON: the man in the middle's rules for SESSION (a JSON list
# of hooks, hooks.py), replacing any before.
rule() {
	/usr/bin/python3 - "$RULES" "$1" "$2" <<-'EOF'
	import json, os, sys
	path, session, hooks = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
	rules = json.load(open(path))
	rules[session] = hooks
	with open(path + ".new", "w") as f:
	    json.dump(rules, f)
	os.replace(path + ".new", path)
	EOF
}

# fired SESSION [PATTERN]: how many changes the man in the middle logged in
# SESSION (whose "hook what" matches the extended regex PATTERN).
fired() {
	/usr/bin/python3 -c 'import json, re, sys
n = sum(1 for l in open(sys.argv[1]) for r in [json.loads(l)]
        if r["session"] == sys.argv[2] and re.search(sys.argv[3], "%s %s" % (r["hook"], r["what"])))
print(n)' "$MITM_LOG" "$1" "${2:-.}"
}

# own_certs PARTY...: each PARTY's own folder, $T/own/PARTY, with only what
# a party holds: the CA certificate and its own keys and certificates. Its
# peers' keys then come from the server's directory, as in a deployment.
own_certs() {
	local p
	for p in "$@"; do
		mkdir -p "$T/own/$p"
		chmod 700 "$T/own/$p"
		cp -p "$T/certs/ca.crt" "$T/certs/$p".* "$T/own/$p/"
	done
}

# via PARTY ARGS...: mpc-client as PARTY through the man in the middle,
# with its own state folder $T/state-PARTY, and its own certificates folder
# if own_certs made one.
via() {
	local party=$1 certs=$T/certs state=(); shift
	[ -d "$T/own/$party" ] && certs=$T/own/$party
	[ -n "${V1:-}" ] || state=(--state "$T/state-$party")  # version 1 has none
	"$CLIENT_BIN" --server "$MITM_ADDR" --certs "$certs" --party "$party" \
	    --timeout "${VIA_TIMEOUT:-30}" "${state[@]}" "$@"
}

# bgvia NAME PARTY ARGS...: via in the background, output in $T/NAME.out
# and $T/NAME.err, its status in $T/NAME.rc once it ends; BG is its pid.
bgvia() {
	local name=$1 party=$2; shift 2
	( via "$party" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
	BG=$!
	PIDS+=("$BG")
}

# create SESSION PARTY ARGS...: PARTY creates SESSION through the man in
# the middle; INVITE[SESSION] is the invite code it printed (the last
# create of SESSION's).
declare -A INVITE=()
create() {
	local s=$1 p=$2; shift 2
	via "$p" create "$s" "$@" >"$T/create-$s.out" 2>"$T/create-$s.err"
	INVITE[$s]=$(grep -Eo 'ss2-[a-z2-7-]{62}' "$T/create-$s.out" | head -1)
	[ -n "${INVITE[$s]}" ] && return 0
	echo "# create $s: no invite code"; sed 's/^/#   /' "$T/create-$s.err"
	return 1
}

# step NAME PARTY COMMAND SESSION [ARGS...]: PARTY's mpc-client COMMAND of
# SESSION pinned by INVITE[SESSION], with --json, in the background (bgvia
# NAME); values go after "--" in ARGS.
step() {
	local name=$1 p=$2 cmd=$3 s=$4; shift 4
	bgvia "$name" "$p" --json "$cmd" "$s" --invite "${INVITE[$s]}" "$@"
}

# run_all SESSION PARTY=V[,V...]...: every PARTY's `run` of SESSION with its
# input, at once (step SESSION-PARTY); waits for them all.
run_all() {
	local s=$1 pv v pids=(); shift
	for pv in "$@"; do
		v=${pv#*=}
		step "$s-${pv%%=*}" "${pv%%=*}" run "$s" -- ${v//,/ }
		pids+=("$BG")
	done
	wait_all "${pids[@]}"
}

# outcome NAME: what the command of bgvia NAME ended with: "LABEL SUM..."
# (the label and the sum its JSON printed), "inconsistent" (no sum, the
# sumpoints disagree), "refused: REASON" (any other failure, with its
# one-line reason), "(no sum)" (success without a sum: share, sumpoint).
outcome() {
	/usr/bin/python3 -c 'import json, sys
try:
    r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except (OSError, ValueError, IndexError):
    r = {}
if r.get("label") == "inconsistent" and not r.get("sum"):
    print("inconsistent")
elif sys.argv[2] != "0":
    err = open(sys.argv[3]).read().strip().splitlines() or ["(none)"]
    print("refused: " + (r.get("error") or {}).get("message", err[-1]).replace("\n", " "))
elif r.get("sum"):
    print(r.get("label", "(no label)"), " ".join(str(v) for v in r["sum"] or []))
else:
    print("(no sum)")' "$T/$1.out" "$(rc "$1")" "$T/$1.err"
}

# outcomes TEST SESSION PATTERN PARTY...: passes when every PARTY's
# outcome of SESSION (bgvia NAME SESSION-PARTY) matches the extended regex
# PATTERN as a whole.
outcomes() {
	local test=$1 s=$2 pat=$3 p o bad=()
	shift 3
	for p in "$@"; do
		o=$(outcome "$s-$p")
		grep -Eqx "$pat" <<<"$o" || bad+=("$p: $o")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$test"
	else not_ok "$test" "expected /$pat/ of every honest party" "${bad[@]}"; fi
}

# refuses TEST NAME REASON: passes when the command of bgvia NAME refused
# with a reason matching the extended regex REASON.
refuses() {
	local o
	o=$(outcome "$2")
	if grep -Eqx "refused: .*($3).*" <<<"$o"; then ok "$1"
	else not_ok "$1" "expected a refusal matching /$3/" "got: $o"; fi
}

# judge TEST SESSION PATTERN PARTY...: outcomes, once the man in the
# middle's log shows that the attack on SESSION was delivered.
judge() {
	delivered "$1" "$2" . && outcomes "$@"
	return 0
}

# mal NAME PARTY ACTION SESSION [ARGS...]: party.py, the colluding PARTY,
# through the man in the middle (its rules with "to" apply to honest
# parties), in the background: output in $T/NAME.out and .err, status in
# .rc; BG is its pid.
mal() {
	local name=$1 p=$2; shift 2
	( /usr/bin/python3 "$ADV/party.py" --server "$MITM_ADDR" --certs "$T/certs" --py "$PY" \
	    --party "$p" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
	BG=$!
	PIDS+=("$BG")
}

# mal_did TEST NAME...: passes when each party.py run NAME succeeded (the
# colluders did their part: the attack was delivered); else fails TEST.
mal_did() {
	local test=$1 n bad=(); shift
	for n in "$@"; do
		[ "$(rc "$n")" = 0 ] || bad+=("$n: $(cat "$T/$n.out" "$T/$n.err" 2>/dev/null | tail -c 300)")
	done
	[ ${#bad[@]} -eq 0 ] && return 0
	not_ok "$test" "the attack was not delivered: a colluder failed" "${bad[@]}"
	return 1
}

# past SECONDS: sleeps until SECONDS (Unix time) has passed on this clock.
past() {
	local now
	now=$(date +%s)
	[ "$now" -gt "$1" ] || sleep $(( $1 - now + 1 ))
}

# wait_all PID...: waits for every one of them.
wait_all() {
	local p
	for p in "$@"; do wait "$p" 2>/dev/null; done
	return 0
}

# rc NAME: the exit status bgvia NAME recorded.
rc() { cat "$T/$1.rc" 2>/dev/null || echo none; }

# delivered NAME SESSION PATTERN: passes when the man in the middle's log
# shows the attack on SESSION (a hook matching PATTERN) took place, and no
# hook failed there: an attack test whose attack never happened, or broke,
# proves nothing.
delivered() {
	local n
	if [ "$(fired "$2" '^ERROR ')" -gt 0 ]; then
		not_ok "$1" "a hook of the man in the middle failed in session $2:" \
		    "$(grep "\"$2\"" "$MITM_LOG" | grep ERROR | head -n 3)"
		return 1
	fi
	n=$(fired "$2" "$3")
	if [ "$n" -gt 0 ]; then return 0; fi
	not_ok "$1" "the attack was not delivered: no change matching /$3/ in session $2" \
	    "$(tail -n 3 "$MITM_LOG")"
	return 1
}
