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

# via PARTY ARGS...: mpc-client as PARTY through the man in the middle.
via() {
	local party=$1; shift
	"$CLIENT_BIN" --server "$MITM_ADDR" --certs "$T/certs" --party "$party" \
	    --timeout "${VIA_TIMEOUT:-30}" "$@"
}

# bgvia NAME PARTY ARGS...: via in the background, output in $T/NAME.out
# and $T/NAME.err, its status in $T/NAME.rc once it ends; BG is its pid.
bgvia() {
	local name=$1 party=$2; shift 2
	( via "$party" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
	BG=$!
	PIDS+=("$BG")
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
# shows the attack on SESSION (a hook matching PATTERN) took place: an
# attack test whose attack never happened proves nothing.
delivered() {
	local n
	n=$(fired "$2" "$3")
	if [ "$n" -gt 0 ]; then return 0; fi
	not_ok "$1" "the attack was not delivered: no change matching /$3/ in session $2" \
	    "$(tail -n 3 "$MITM_LOG")"
	return 1
}
