#!/usr/bin/env bash
# dropouts.sh: sessions that go on without some parties. (a) A party that
# never shares: at the deadline the cohort is those that did (at least
# min_cohort), and the result is their sum, with the cohort shown. (b) A
# party that shares (and, as every member must in version 2, signs the
# cohort) but never posts a sumpoint: any t+1 sumpoints give the result, and
# `run` does not wait for the missing one until its --timeout. (c) Fewer
# than min_cohort shares by the deadline: the session fails, and every
# command says so promptly.
source "$(dirname "$0")/lib.sh"

make_certs alice bob carol dave || bail "mkcerts.sh failed"
start_server || bail "server did not start"

# cl TIMEOUT PARTY ARGS...: the client with its own --timeout.
cl() {
	local to=$1 party=$2; shift 2
	"$CLIENT_BIN" --server "$ADDR" --certs "$T/certs" --party "$party" --timeout "$to" "$@"
}
# json_get EXPR: EXPR on the JSON object "d" read from stdin.
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# ---- (a) a party that never shares --------------------------------------
check "(a) create with a 3 s deadline, t = 2, min_cohort 3" \
    client alice create a1 --parties alice,bob,carol,dave --threshold 2 --deadline 3 --min-cohort 3
t0=$(now_ms)
declare -A va=([alice]=100 [bob]=-30 [carol]=7)
apids=()
for p in alice bob carol; do
	bgc "a-$p" "$p" run a1 -- "${va[$p]}"
	apids+=("$BG")
done
i=0
for p in alice bob carol; do
	if wait "${apids[$i]}"; then
		check_eq "(a) $p's run ends at the deadline with the sum of those who shared" \
		    "77" "$(cat "$T/a-$p.out")"
		if grep -q '^cohort: alice,bob,carol (without dave)$' "$T/a-$p.err"; then
			ok "(a) $p's run shows the cohort on stderr"
		else
			not_ok "(a) $p's run shows the cohort on stderr" "$(cat "$T/a-$p.err")"
		fi
	else
		not_ok "(a) $p's run without dave" "$(tail -n 2 "$T/a-$p.err")"
	fi
	i=$((i + 1))
done
el=$(( $(now_ms) - t0 ))
if [ "$el" -lt 8000 ]; then ok "(a) ... within a few seconds of the deadline ($el ms)"
else not_ok "(a) ... within a few seconds of the deadline" "took $el ms"; fi
check_eq "(a) status: the cohort is the three who shared" 'alice,bob,carol COMPLETE' \
    "$(client dave --json status a1 2>/dev/null | json_get '"%s %s" % (",".join(d["cohort"]), d["phase"])')"
check "(a) dave, outside the cohort, can still read the result" client dave result a1
check_eq "(a) ... the sum of the cohort" "77" "$(cat "$T/last.out")"
if grep -q '^cohort: alice,bob,carol (without dave)$' "$T/last.err"; then
	ok "(a) result prints the cohort on stderr when a party is not in it"
else
	not_ok "(a) result prints the cohort on stderr" "$(cat "$T/last.err")"
fi
check_eq "(a) --json result: the cohort key lists exactly the cohort" \
    '{"version":1,"session":"alice/a1","sum":["77"],"cohort":["alice","bob","carol"],"label":"unverified","quorum":5,"points":{"taken":3,"on":["alice","bob","carol"],"off":[],"suspect":[],"ignored":[]},"conflicts":[]}' \
    "$(client bob --json result a1 2>/dev/null | tr -d ' \n')"
check_fails "(a) dave's late shares are refused" "no longer takes shares" client dave share a1 5

# ---- (b) a party that shares but never posts -----------------------------
check "(b) create, t = 1" client alice create b1 --parties alice,bob,carol,dave --threshold 1
check "(b) dave shares (and will never post)" client dave share b1 1000
sign_only b-dave b1 dave
t0=$(now_ms)
declare -A vb=([alice]=1 [bob]=2 [carol]=3)
bpids=()
for p in alice bob carol; do
	bgc "b-$p" "$p" run b1 -- "${vb[$p]}"
	bpids+=("$BG")
done
i=0
for p in alice bob carol; do
	if wait "${bpids[$i]}"; then
		check_eq "(b) $p's run gives the sum without dave's sumpoint" "1006" "$(cat "$T/b-$p.out")"
		if grep -q 'dave did not post one' "$T/b-$p.err"; then
			ok "(b) $p's run says whose sumpoint is missing"
		else
			not_ok "(b) $p's run says whose sumpoint is missing" "$(cat "$T/b-$p.err")"
		fi
	else
		not_ok "(b) $p's run without dave's sumpoint" "$(tail -n 2 "$T/b-$p.err")"
	fi
	i=$((i + 1))
done
el=$(( $(now_ms) - t0 ))
# --timeout is 30 s: the runs end a short grace (2 s) after the last sumpoint.
if [ "$el" -lt 10000 ]; then ok "(b) ... long before the 30 s --timeout ($el ms)"
else not_ok "(b) ... long before the 30 s --timeout" "took $el ms"; fi
check_eq "(b) status: AGGREGATING, dave missing" "AGGREGATING dave" \
    "$(client dave --json status b1 2>/dev/null | json_get '"%s %s" % (d["phase"], ",".join(d["missing"]))')"

# Exactly t+1 sumpoints posted: `result` works.
check "(b) create b2, t = 1" client alice create b2 --parties alice,bob,carol --threshold 1 --length 2
check "(b) alice shares" client alice share b2 5 6
check "(b) bob shares" client bob share b2 -- -1 10
check "(b) carol shares" client carol share b2 0 1
# bob and carol sign the cohort, and post nothing yet.
sign_only b2-bob b2 bob
sign_only b2-carol b2 carol
check "(b) alice posts" client alice sumpoint b2
check_fails "(b) result with 1 sumpoint (t+1 = 2 needed) says so" "1 sumpoint taken.*2 needed" \
    client carol result b2
check "(b) bob posts" client bob sumpoint b2
check "(b) result with exactly t+1 sumpoints" client carol result b2
check_eq "(b) ... is the sum" "4 17" "$(cat "$T/last.out")"

# `run` with a short --timeout, t+1 sumpoints in and one missing: at the
# timeout it reconstructs from what is there (the grace would be longer).
check "(b) create b3, t = 1" client alice create b3 --parties alice,bob,carol --threshold 1
for p in alice bob carol; do client "$p" share b3 -- 11 >/dev/null 2>&1; done
sign_only b3-carol b3 carol
check_sumpoints b3 alice bob
t0=$(now_ms)
if cl 1 bob run b3 -- 11 >"$T/b3.out" 2>"$T/b3.err"; then
	el=$(( $(now_ms) - t0 ))
	check_eq "(b) run --timeout 1, carol missing: the sum at the timeout" "33" "$(cat "$T/b3.out")"
	if [ "$el" -lt 3000 ]; then ok "(b) ... after about 1 s ($el ms)"
	else not_ok "(b) ... after about 1 s" "took $el ms"; fi
else
	not_ok "(b) run --timeout 1 with t+1 sumpoints" "$(cat "$T/b3.err")"
fi

# ---- (c) fewer than t+1 by the deadline ----------------------------------
check "(c) create with a 2 s deadline, t = 1, min_cohort 2" \
    client alice create c1 --parties alice,bob,carol --threshold 1 --deadline 2 --min-cohort 2
t0=$(now_ms)
bgc c-run alice run c1 -- 9
cpid=$BG
if wait "$cpid"; then
	not_ok "(c) alice's run fails when too few shared" "$(cat "$T/c-run.out")"
else
	el=$(( $(now_ms) - t0 ))
	if grep -Eq 'session alice/c1 failed: the sharing deadline passed with 1 of 3' "$T/c-run.err"; then
		ok "(c) alice's run fails with the reason"
	else
		not_ok "(c) alice's run fails with the reason" "$(cat "$T/c-run.err")"
	fi
	if [ "$el" -lt 5000 ]; then ok "(c) ... at the deadline, not at its --timeout ($el ms)"
	else not_ok "(c) ... at the deadline, not at its --timeout" "took $el ms"; fi
fi
# Every command says so at once (--timeout 30 would show a hang).
fast() {
	local name=$1 want_rc=$2 pattern=$3 t rc el; shift 3
	t=$(now_ms)
	"$@" >"$T/f.out" 2>"$T/f.err"
	rc=$?
	el=$(( $(now_ms) - t ))
	if [ "$want_rc" = 0 ] && [ "$rc" -ne 0 ]; then
		not_ok "$name" "exit status $rc" "$(cat "$T/f.err")"
	elif [ "$want_rc" != 0 ] && [ "$rc" -eq 0 ]; then
		not_ok "$name" "exit status 0" "$(cat "$T/f.out")"
	elif ! grep -Eq "$pattern" "$T/f.out" "$T/f.err"; then
		not_ok "$name" "no /$pattern/ in:" "$(cat "$T/f.out" "$T/f.err")"
	elif [ "$el" -ge 2000 ]; then
		not_ok "$name" "took $el ms"
	else
		ok "$name ($el ms)"
	fi
}
failmsg='failed: the sharing deadline passed with 1 of 3 parties. shares in; min_cohort 2 needs at least 2'
fast "(c) status says FAILED, with the reason" 0 "^phase: FAILED" client bob status c1
fast "(c) status gives the reason" 0 "^reason: the sharing deadline passed with 1 of 3" client bob status c1
check_eq "(c) status --json: phase and reason" \
    "FAILED the sharing deadline passed with 1 of 3 parties' shares in; min_cohort 2 needs at least 2" \
    "$(client bob --json status c1 2>/dev/null | json_get '"%s %s" % (d["phase"], d["reason"])')"
fast "(c) sumpoint fails, saying why" 1 "$failmsg" client alice sumpoint c1
fast "(c) result fails, saying why" 1 "$failmsg" client carol result c1
fast "(c) run by a party that has not shared fails, saying why" 1 "$failmsg" client bob run c1 -- 4
fast "(c) share after the failure is refused" 1 "$failmsg" client carol share c1 4

finish
